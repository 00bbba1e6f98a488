"""HTML in a drifted column's name or a decision tag shows as text in a real browser."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from backend.main import create_app
from tests.hardening.helpers import CHROMIUM, DIST, browser_tools, serve_in_thread
from tests.support.api import api_settings
from tests.support.stores import XSS_TEXT, BuiltStore

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("xss_page.mjs")


def test_html_in_store_values_is_shown_as_text(messy_store: BuiltStore, tmp_path: Path) -> None:
    node = browser_tools()
    app = create_app(api_settings(messy_store.tracking_uri, tmp_path, static_dir=DIST))
    with serve_in_thread(app) as url:
        completed = subprocess.run(
            [node, str(SCRIPT), "--url", f"{url}/", "--text", XSS_TEXT,
             "--chromium", str(CHROMIUM)],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    facts = json.loads(completed.stdout)
    assert facts["cards"] == len(messy_store.expected)
    # Once as batch 3's drifted column, once as batch 7's decision as written.
    assert facts["literalCount"] >= 2, facts
    assert facts["imgX"] == 0, facts
    assert facts["dialogs"] == [], facts

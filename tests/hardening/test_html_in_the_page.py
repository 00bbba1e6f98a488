"""HTML in a drifted column's name or a decision tag shows as text in a real browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.main import create_app
from tests.hardening.helpers import serve_in_thread
from tests.support.api import api_settings
from tests.support.stores import XSS_TEXT, BuiltStore

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST = REPO_ROOT / "frontend" / "dist"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCRIPT = Path(__file__).with_name("xss_page.mjs")


def test_html_in_store_values_is_shown_as_text(messy_store: BuiltStore, tmp_path: Path) -> None:
    if not (DIST / "index.html").is_file():
        pytest.skip("frontend/dist is missing: run `npm ci && npm run build` in frontend/")
    node = shutil.which("node")
    if node is None or not CHROMIUM.is_file():
        pytest.skip(f"needs node and Chromium at {CHROMIUM}")
    if not (REPO_ROOT / "frontend" / "node_modules" / "playwright-core").is_dir():
        pytest.skip("frontend/node_modules is missing: run `npm ci` in frontend/")
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

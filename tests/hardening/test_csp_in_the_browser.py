"""The API's Content-Security-Policy holds for what it serves (issue 14 item 10), and /docs and
/redoc render with no network (issue 15 item 8): the built page, Swagger UI and ReDoc in real
Chromium, every request to another host blocked, no policy violation."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from backend.main import create_app
from tests.hardening.helpers import CHROMIUM, DIST, browser_tools, serve_in_thread
from tests.support.api import api_settings
from tests.support.stores import BuiltStore

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("csp_page.mjs")
REDOC_LOGO = "img-src https://cdn.redoc.ly/"


def test_page_and_docs_render_offline_without_csp_violations(
    messy_store: BuiltStore, tmp_path: Path
) -> None:
    node = browser_tools()
    app = create_app(api_settings(messy_store.tracking_uri, tmp_path, static_dir=DIST))
    with serve_in_thread(app) as url:
        completed = subprocess.run(
            [node, str(SCRIPT), "--url", url, "--chromium", str(CHROMIUM)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    facts = json.loads(completed.stdout)
    for path in ("/", "/docs", "/redoc"):
        seen = facts[path]
        assert seen["rendered"], (path, seen)
        # ReDoc's "powered by" footer points at its CDN's logo; the policy blocks that one image.
        violations = [v for v in seen["violations"] if not v.startswith(REDOC_LOGO)]
        assert violations == [], (path, violations)
        assert seen["blocked"] == [], (path, seen["blocked"])
        assert seen["errors"] == [], (path, seen["errors"])

"""What the browser tests need on the machine: Chromium, node and playwright-core (from npm ci)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def browser_node() -> str:
    """The `node` that drives Chromium through playwright-core; skips with the reason if absent."""
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (REPO_ROOT / "frontend" / "node_modules" / "playwright-core").is_dir():
        pytest.skip("frontend/node_modules is missing: run `npm ci` in frontend/")
    return node

"""Part 3: the page's production JS size (gzip) and how long until the report shows data.

The size comes from the frontend's own `npm run size` (gzip level 9 of dist/assets/*.js). The
timing loads the built page from a real API process in Debian's headless Chromium
(`bench/page_timing.mjs`): a first view with the API's cache empty, then repeat views.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Final

from bench.common import FRONTEND_DIR, REPO_ROOT, STORES_DIR, BenchError, api_server, median
from tests.support.stores import StoreSpec, cached_store

logger = logging.getLogger(__name__)

CHROMIUM: Final = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCRIPT: Final = REPO_ROOT / "bench" / "page_timing.mjs"
SIZE_TOTAL: Final = re.compile(r"total JS: (?P<raw>[0-9.]+) KB, (?P<gzip>[0-9.]+) KB gzip")
BROWSER_TIMEOUT_S: Final = 240


def js_size() -> dict[str, float]:
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError("npm is not installed")
    completed = subprocess.run(
        [npm, "run", "--silent", "size"],
        cwd=FRONTEND_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    match = SIZE_TOTAL.search(completed.stdout)
    if match is None:
        raise BenchError(f"npm run size printed no total: {completed.stderr.strip()[-500:]}")
    return {
        "js_raw_kb": float(match["raw"]),
        "js_gzip_kb": float(match["gzip"]),
        "within_budget": completed.returncode == 0,
    }


def data_shown(other_runs: int) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not CHROMIUM.is_file():
        return {"timing_skipped": f"needs node and Chromium at {CHROMIUM}"}
    store = cached_store(STORES_DIR, StoreSpec(other_runs=other_runs))
    with (
        tempfile.TemporaryDirectory(prefix="healthpredict-bench-page-") as tmp,
        api_server(store.tracking_uri, Path(tmp)) as server,
    ):
        completed = subprocess.run(
            [node, str(SCRIPT), "--url", f"{server.url}/", "--chromium", str(CHROMIUM)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT_S,
            check=False,
        )
    if completed.returncode != 0:
        raise BenchError(f"page timing script failed: {completed.stderr.strip()[-800:]}")
    facts = json.loads(completed.stdout)
    repeats = [view["shownMs"] for view in facts["repeats"]]
    return {
        "store_other_runs": other_runs,
        "first_view_ms": facts["first"]["shownMs"],
        "repeat_view_ms": median(repeats),
        "batch_cards": facts["first"]["cards"],
    }


def run(*, other_runs: int) -> dict[str, Any]:
    if not (FRONTEND_DIR / "dist" / "index.html").is_file():
        return {"status": "skipped", "reason": "frontend/dist is missing: npm run build"}
    return {**js_size(), **data_shown(other_runs)}

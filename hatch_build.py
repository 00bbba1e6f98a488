"""Hatch build hook: the built report page ships inside the wheel, as MLflow ships its web app.

`frontend/dist` is build output and git-ignored, so hatchling would leave it out; this hook adds
it by `force_include`: to the wheel as `backend/static/` (where `backend.settings` finds it once
installed) and to the sdist as `frontend/dist/` (so a wheel built from the sdist, as `uv build`
does, needs no Node). When the page is missing it is built with `scripts/build-web.sh`, the
script `make build`, CI and the web image run; a build that still has no `index.html` fails, so
no wheel without the page is ever written. An editable install (`uv sync` in a checkout) serves
the checkout's `frontend/dist` and builds nothing here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PAGE_DIR = Path("frontend") / "dist"
BUILD_SCRIPT = Path("scripts") / "build-web.sh"
# Where the page sits inside the installed package; backend/settings.py reads the same name.
PACKAGED_PAGE = "backend/static"


class PageBuildError(RuntimeError):
    """The page could not be built, so no package is written without it."""


class ReportPageHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        page = root / PAGE_DIR
        if not (page / "index.html").is_file():
            self._build_page(root)
        if not (page / "index.html").is_file():
            raise PageBuildError(
                f"{PAGE_DIR}/index.html is missing after {BUILD_SCRIPT}; "
                "the package would hold no report page"
            )
        if not any(page.glob("assets/*.js")):
            raise PageBuildError(f"{PAGE_DIR}/assets holds no JavaScript; rebuild the page")
        target = PACKAGED_PAGE if self.target_name == "wheel" else PAGE_DIR.as_posix()
        build_data["force_include"][str(page)] = target

    def _build_page(self, root: Path) -> None:
        script = root / BUILD_SCRIPT
        if not script.is_file():
            raise PageBuildError(
                f"{PAGE_DIR} is missing and there is no {BUILD_SCRIPT} to build it"
            )
        self.app.display_info(f"{PAGE_DIR} is missing: building the page with {BUILD_SCRIPT}")
        completed = subprocess.run([str(script)], cwd=root, check=False)
        if completed.returncode != 0:
            raise PageBuildError(
                f"{BUILD_SCRIPT} failed (exit {completed.returncode}); "
                "the report page needs Node 20 and `scripts/install.sh frontend`"
            )

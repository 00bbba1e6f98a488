"""The package a user installs: the wheel carries the page and serves it without a checkout.

The wheel and sdist are built from this checkout as `make dist` builds them (`uv build`: the sdist,
then the wheel from the sdist). The wheel goes into a fresh virtual environment with the runtime
dependencies pinned by uv.lock and nothing else (no pipeline extra, no development group), from
uv's cache. The installed `healthpredict` then runs from a scratch folder with no Node on PATH and
neither the checkout nor PYTHONPATH on sys.path: `serve` over a user's MLflow server (a store
written by tests.support.stores, behind a real `mlflow server`) must answer `/` with the page
from the package, which Debian's chromium then shows; `report export` must inline that page.
A second fresh environment holds what `make demo` installs (the runtime and the `pipeline`
extra): it must run the experiment and export the report from the SQLite store it wrote, with none
of full MLflow's server stack installed. The installs' seconds, the demo environment's size,
serve's seconds until the page answers and the wheel's size go to test-output/wheel/figures.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.exported import embedded
from tests.support.servers import LOCALHOST, free_port, mlflow_server, stop_process_group
from tests.support.stores import BuiltStore, StoreSpec, build_store

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1800)]

REPO_ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).with_name("uv")
OUTPUT = REPO_ROOT / "test-output" / "wheel"
PACKAGED_PAGE = "backend/static"
START_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class Installed:
    bin: Path
    home: Path  # a scratch folder outside the checkout: the commands' working directory
    install_seconds: float  # `uv venv` + `uv pip install`, from uv's warm cache
    wheel_bytes: int


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, f"{command[:3]} failed:\n{completed.stderr[-3000:]}"
    return completed.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if not UV.is_file():
        pytest.skip(f"no uv at {UV}: run `make install`")
    out = tmp_path_factory.mktemp("dist")
    _run([UV, "build", "--out-dir", out], cwd=REPO_ROOT)
    [wheel] = out.glob("healthpredict-*.whl")
    [sdist] = out.glob("healthpredict-*.tar.gz")
    return Built(wheel, sdist)


def _clean_env(home: Path) -> dict[str, str]:
    """What a user's shell has: no PYTHONPATH, no checkout, no Node on PATH."""
    path = os.pathsep.join(
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and not (Path(folder) / "node").exists()
    )
    return {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8"}


def _install(built: Built, scratch: Path, extras: tuple[str, ...] = ()) -> Installed:
    """The wheel and the dependencies uv.lock pins for it (and `extras`), in a fresh venv."""
    requirements = scratch / "requirements.txt"
    _run(
        [UV, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
         *[arg for extra in extras for arg in ("--extra", extra)], "--output-file", requirements],
        cwd=REPO_ROOT,
    )  # fmt: skip
    venv = scratch / "venv"
    started = time.monotonic()
    _run([UV, "venv", "--quiet", "--python", sys.executable, venv], cwd=scratch)
    _run(
        [UV, "pip", "install", "--quiet", "--python", venv / "bin" / "python",
         "-r", requirements, built.wheel],
        cwd=scratch,
    )  # fmt: skip
    return Installed(venv / "bin", scratch, time.monotonic() - started, built.wheel.stat().st_size)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    return _install(built, tmp_path_factory.mktemp("wheel-user"))


@pytest.fixture(scope="module")
def installed_database(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The report reading a database store directly: the runtime and the `database` extra."""
    return _install(built, tmp_path_factory.mktemp("wheel-database"), extras=("database",))


@pytest.fixture(scope="module")
def installed_pipeline(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """What `make demo` installs: the runtime and the `pipeline` extra, no development group."""
    return _install(built, tmp_path_factory.mktemp("wheel-demo"), extras=("pipeline",))


@pytest.fixture(scope="module")
def users_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("users-store") / "store", StoreSpec(evidence=True))


@contextlib.contextmanager
def installed_serve(installed: Installed, tracking_uri: str) -> Iterator[tuple[str, float]]:
    """`healthpredict serve` from the installed package; yields its base URL once `/` answers,
    and the seconds that took."""
    port = free_port()
    env = {
        **_clean_env(installed.home),
        "MLFLOW_TRACKING_URI": tracking_uri,
        "HEALTHPREDICT_STORAGE": str(installed.home / "storage"),
    }
    log_path = installed.home / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(installed.bin / "healthpredict"), "serve", "--host", LOCALHOST, "--port",
             str(port)],
            cwd=installed.home, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://{LOCALHOST}:{port}"
    started = time.monotonic()
    try:
        _wait_for_page(process, url, log_path)
        yield url, time.monotonic() - started
    finally:
        stop_process_group(process)


def _wait_for_page(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited:\n{log.read_text(errors='replace')[-3000:]}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/", timeout=2.0).status_code == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"serve did not answer {url}/ in {START_TIMEOUT_S:.0f} s")


def _record(figures: dict[str, object]) -> None:
    """Add `figures` to test-output/wheel/figures.json (the tests each measure their own)."""
    path = OUTPUT / "figures.json"
    known = json.loads(path.read_text()) if path.is_file() else {}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**known, **figures}, indent=2, sort_keys=True))


def test_the_wheel_carries_the_built_page(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        index = wheel.read(f"{PACKAGED_PAGE}/index.html").decode()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    scripts = re.findall(r'src="/(assets/[^"]+\.js)"', index)
    assert scripts, index
    for script in scripts:
        assert f"{PACKAGED_PAGE}/{script}" in names
    assert "License-Expression: MIT" in metadata
    assert "Requires-Python: <3.14,>=3.11" in metadata
    assert "Classifier: Programming Language :: Python :: 3.11" in metadata
    assert "# Use the report on your own MLflow store" in metadata  # the README is the description
    assert not [n for n in names if "node_modules" in n or n.startswith("frontend/")]


def test_the_sdist_holds_the_sources_and_the_built_page(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"frontend/dist/index.html", "frontend/package.json", "hatch_build.py"} <= names
    assert not [n for n in names if "node_modules" in n]


def test_the_installed_package_serves_its_page_over_a_users_mlflow(
    installed: Installed, users_store: BuiltStore, tmp_path: Path
) -> None:
    assert not (installed.home / "frontend").exists()
    with (
        mlflow_server(
            tmp_path, backend_uri=users_store.tracking_uri,
            artifacts_destination=str(users_store.artifact_root),
        ) as server,
        installed_serve(installed, server.url) as (url, serve_seconds),
    ):  # fmt: skip
        page = httpx.get(f"{url}/", timeout=10).text
        batches = httpx.get(f"{url}/batches", timeout=60).json()["batches"]
        facts = _browse(url)
    _record(
        {
            "install_seconds": round(installed.install_seconds, 1),
            "serve_seconds_until_page": round(serve_seconds, 1),
            "seconds_from_install_to_page_served": round(
                installed.install_seconds + serve_seconds, 1
            ),
            "wheel_bytes": installed.wheel_bytes,
        }
    )
    packaged = installed.bin.parent / "lib"
    [index] = packaged.glob(f"python3.*/site-packages/{PACKAGED_PAGE}/index.html")
    assert page == index.read_text()
    assert [b["batch"] for b in batches] == [b.batch for b in users_store.expected]
    if facts is not None:
        assert facts["consoleErrors"] == []
        cards = [card["heading"] for card in facts["batchCards"]]
        assert cards == [f"Batch {b.batch}" for b in users_store.expected]


def _browse(url: str) -> dict[str, object] | None:
    """What Chromium shows (tests/e2e/report_page.mjs); None when Chromium or node is missing."""
    from tests.e2e.conftest import browse
    from tests.support.browser import CHROMIUM

    if not CHROMIUM.is_file() or shutil.which("node") is None:
        return None
    if not (REPO_ROOT / "frontend" / "node_modules" / "playwright-core").is_dir():
        return None
    return browse(url, OUTPUT)


def test_report_export_from_the_installed_package_inlines_its_page(
    installed: Installed, users_store: BuiltStore, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    env = {**_clean_env(installed.home), "MLFLOW_TRACKING_URI": users_store.tracking_uri}
    env["HEALTHPREDICT_STORAGE"] = str(installed.home / "storage")
    with mlflow_server(
        tmp_path, backend_uri=users_store.tracking_uri,
        artifacts_destination=str(users_store.artifact_root),
    ) as server:  # fmt: skip
        env["MLFLOW_TRACKING_URI"] = server.url
        _run([installed.bin / "healthpredict", "report", "export", "--out", out],
             cwd=installed.home, env=env)  # fmt: skip
    html = out.read_text()
    assert 'id="healthpredict-report-data"' in html and 'src="/assets/' not in html
    for batch in users_store.expected:
        assert batch.drift_run_id in html


# Full `mlflow` is mlflow-skinny (the same Python package) plus its tracking server's stack: the
# web UI's build, Flask, gunicorn, graphene, pyarrow, matplotlib. Neither the experiment nor the
# report uses them, so the demo's environment must not carry them (docs: pyproject's extras).
SERVER_ONLY = ("mlflow", "pyarrow", "matplotlib", "flask", "gunicorn", "graphene")


def test_the_demo_environment_runs_the_experiment_and_reads_its_store_without_mlflows_server(
    installed_pipeline: Installed, tmp_path: Path
) -> None:
    data = os.environ.get("HEALTHPREDICT_DATA", "")
    if not Path(data).is_file():
        pytest.skip("HEALTHPREDICT_DATA is not set to the data set (.ci/run sets it)")
    python = installed_pipeline.bin / "python"
    present = _run(
        [python, "-c", "import importlib.metadata as m, sys\n"
         "for name in sys.argv[1:]:\n"
         "    try: print(name, m.version(name))\n"
         "    except m.PackageNotFoundError: pass", *SERVER_ONLY],
        cwd=installed_pipeline.home,
    )  # fmt: skip
    assert present == "", f"the pipeline extra installs MLflow's server stack:\n{present}"

    home = installed_pipeline.home / "state"
    env = {**_clean_env(installed_pipeline.home), "HEALTHPREDICT_HOME": str(home)}
    hp = installed_pipeline.bin / "healthpredict"
    _run([hp, "experiment", "run", "--data", data, "--hpo-trials", "1", "--no-replay"],
         cwd=installed_pipeline.home, env=env)  # fmt: skip
    size = subprocess.run(
        ["du", "-s", "--apparent-size", "--block-size=1M", str(installed_pipeline.bin.parent)],
        capture_output=True, text=True, check=True,
    ).stdout.split()[0]  # fmt: skip
    _record(
        {
            "demo_install_seconds": round(installed_pipeline.install_seconds, 1),
            "demo_venv_megabytes": int(size),
        }
    )
    # The store the experiment wrote (SQLite, read directly): batch 0 and the five batches.
    store = f"sqlite:///{home / 'mlflow.db'}"
    batches = _export_embedded_batches(installed_pipeline, store, tmp_path / "report.html")
    assert [b["batch"] for b in batches] == [0, 1, 2, 3, 4, 5]
    assert batches[0]["decision"] == "BASELINE"


def _export_embedded_batches(installed: Installed, tracking_uri: str, out: Path) -> list[dict]:
    env = {**_clean_env(installed.home), "HEALTHPREDICT_STORAGE": str(installed.home / "storage")}
    _run([installed.bin / "healthpredict", "report", "export", "--tracking-uri", tracking_uri,
          "--out", out], cwd=installed.home, env=env)  # fmt: skip
    batches: list[dict] = embedded(out.read_bytes())["responses"]["/batches"]["batches"]
    return batches


def test_the_plain_install_names_the_extra_a_sqlite_store_needs(
    installed: Installed, users_store: BuiltStore, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    completed = subprocess.run(
        [str(installed.bin / "healthpredict"), "report", "export", "--tracking-uri",
         users_store.tracking_uri, "--out", str(out)],
        cwd=installed.home, env=_clean_env(installed.home), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 1, completed.stderr
    [line] = completed.stderr.strip().splitlines()
    assert "sqlalchemy and alembic" in line and "healthpredict[database]" in line, line
    assert not out.exists()


def test_the_database_extra_reads_a_sqlite_store_directly(
    installed_database: Installed, users_store: BuiltStore, tmp_path: Path
) -> None:
    batches = _export_embedded_batches(
        installed_database, users_store.tracking_uri, tmp_path / "report.html"
    )
    assert [b["batch"] for b in batches] == [b.batch for b in users_store.expected]

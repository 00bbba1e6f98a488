"""`make demo`'s first step, scripts/check_data.py: the data found, or one line, in seconds.

Run as `make demo` runs it: a bare interpreter (`-S -I`: no site-packages, no PYTHONPATH), so a
check that needed anything beyond the standard library fails here.
"""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

from pipeline.data.columns import RAW_COLUMNS
from tests.support.servers import closed_port_url

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPT = REPO_ROOT / "scripts" / "check_data.py"
WITHIN_SECONDS = 5.0


def _check(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    base = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "HEALTHPREDICT_HOME": str(tmp_path / "home"),
        "HEALTHPREDICT_CACHE": str(tmp_path / "cache"),
        "HEALTHPREDICT_DATA_URL": f"{closed_port_url()}/dataset.zip",
    }
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-S", "-I", str(SCRIPT), *args], env={**base, **env},
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert time.monotonic() - started < WITHIN_SECONDS
    return completed.returncode, completed.stdout, completed.stderr


def test_a_given_archive_is_found(tmp_path: Path) -> None:
    archive = tmp_path / "dataset_diabetes.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        # The header is the data set's (the check reads it); one row is enough.
        header = ",".join(RAW_COLUMNS)
        bundle.writestr(
            "dataset_diabetes/diabetic_data.csv", f"{header}\n{','.join('1' * len(RAW_COLUMNS))}\n"
        )
    code, out, _ = _check(tmp_path, "--data", str(archive))
    assert (code, out) == (0, f"data: {archive}\n")


def test_a_missing_file_is_one_line_with_the_fix(tmp_path: Path) -> None:
    code, out, err = _check(tmp_path, HEALTHPREDICT_DATA=str(tmp_path / "nope.zip"))
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert f"{tmp_path / 'nope.zip'} not found" in err
    assert "make demo DATA=path/to/dataset_diabetes.zip" in err


def test_offline_without_a_copy_is_one_line_before_any_download(tmp_path: Path) -> None:
    code, _, err = _check(tmp_path)
    assert code == 1
    assert err.count("\n") == 1
    assert "no local copy" in err and "cannot be reached" in err
    assert "make demo DATA=" in err
    assert not (tmp_path / "cache").exists()


def test_an_existing_store_needs_no_data_yet(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "mlflow.db").write_bytes(b"")
    code, out, err = _check(tmp_path)
    assert (code, err) == (0, "")
    assert "already holds a store" in out

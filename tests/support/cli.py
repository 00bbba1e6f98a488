"""The command line as a user runs it: a real subprocess with a private state folder.

``run_cli`` runs ``python -X importtime -m healthpredict ...`` (or ``-m baseline``) and answers
what the user saw (exit code, stdout, stderr), which top-level packages the process imported and
how much CPU it spent. "At once" is judged on CPU time, not wall time: the shared test machine
runs other work, which stretches wall time but not the process's own CPU.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pipeline.core import config
from tests.support.servers import closed_port_url

HEAVY_PACKAGES: Final = frozenset(
    {"pandas", "mlflow", "sklearn", "scipy", "boto3", "botocore", "xgboost", "uvicorn", "fastapi"}
)
ENVIRONMENT_SET_BY_USERS: Final = (
    config.STATE_DIR_ENV,
    config.TRACKING_URI_ENV,
    config.STORAGE_ENV,
    config.DATA_ENV,
    config.CACHE_DIR_ENV,
    config.DATA_URL_ENV,
)
REPO_ROOT: Final = Path(__file__).resolve().parents[2]
AT_ONCE_CPU_S: Final = 1.0  # what "answers at once" allows a refusal


@dataclass(frozen=True)
class Answer:
    code: int
    stdout: str
    stderr: str  # without the -X importtime lines
    imported: frozenset[str]  # top-level packages the process imported
    cpu_seconds: float  # the process's user + system time

    @property
    def heavy(self) -> set[str]:
        return set(self.imported & HEAVY_PACKAGES)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def isolated_environment(tmp_path: Path, home: Path | None) -> dict[str, str]:
    """The user's environment without Health Predict's variables; the state folder ``home``.

    ``home=None`` leaves ``$HEALTHPREDICT_HOME`` unset: the state folder is then
    ``.healthpredict`` in the working folder, as for a user who set nothing.
    """
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_SET_BY_USERS}
    # This checkout's code, whichever folder the command runs in.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    if home is not None:
        env[config.STATE_DIR_ENV] = str(home)
    env[config.CACHE_DIR_ENV] = str(tmp_path / "empty-cache")
    # Nothing listens there: a download attempt fails at once, with no network needed.
    env[config.DATA_URL_ENV] = f"{closed_port_url()}/dataset_diabetes.zip"
    return env


def run_cli(
    env: dict[str, str], *args: str, module: str = "healthpredict", cwd: Path | None = None
) -> Answer:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", module, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    imported: set[str] = set()
    other: list[str] = []
    for line in completed.stderr.splitlines():
        if line.startswith("import time:"):
            imported.add(line.rsplit("|", 1)[1].strip().split(".")[0])
        else:
            other.append(line)
    return Answer(
        completed.returncode, completed.stdout, "\n".join(other), frozenset(imported), cpu
    )

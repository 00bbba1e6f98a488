"""Part 0: start-up of the command line — help, usage errors and the checks that refuse at once.

Each command runs as a subprocess (``.venv/bin/healthpredict`` or ``python -m baseline``) into a
temporary state folder, several times; the figures are wall time (median, worst) and the
processes' CPU time, which moves less than wall time on a shared machine. The load average at the
start says how busy the machine was. Target: every one answers in under 1 s.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from bench.common import BenchError
from pipeline.core import config
from pipeline.data.manifest import MANIFEST_KEY, BatchInfo, Manifest

TARGET_S: Final = 1.0
TIMEOUT_S: Final = 120


def _commands(storage: Path) -> dict[str, tuple[list[str], int]]:
    """What a newcomer types first, with the exit code each must answer with."""
    cli = Path(sys.executable).with_name("healthpredict")
    if not cli.exists():
        raise BenchError(f"{cli} is missing: install the project (uv sync)")
    healthpredict = str(cli)
    return {
        "healthpredict --help": ([healthpredict, "--help"], 0),
        "python -m baseline --help": ([sys.executable, "-m", "baseline", "--help"], 0),
        "experiment run --bogus": ([healthpredict, "experiment", "run", "--bogus"], 2),
        "serve --port 99999": ([healthpredict, "serve", "--port", "99999"], 2),
        "batch run 9 (prepared 1-5)": (
            [healthpredict, "batch", "run", "9", "--storage", str(storage)],
            1,
        ),
        "experiment run --data /nonexistent.zip": (
            [healthpredict, "experiment", "run", "--data", "/nonexistent.zip"],
            1,
        ),
    }


def _prepared_manifest(folder: Path) -> Path:
    """A storage holding only the manifest of batches 1-5: all the range check reads."""
    path = folder / MANIFEST_KEY
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(
        42, "0" * 64, 2000, tuple(BatchInfo(n, "no_drift", "bench", 2000) for n in range(1, 6))
    )
    manifest.to_frame().to_csv(path, index=False)
    return folder


def _time_once(command: list[str], expected: int, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT_S)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != expected:
        raise BenchError(
            f"{' '.join(command)} exited {completed.returncode}, expected {expected}: "
            f"{completed.stderr.decode(errors='replace').strip()[-300:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run(*, quick: bool) -> dict[str, Any]:
    repeats = 3 if quick else 7
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="healthpredict-bench-cli-") as folder:
        env = {
            **os.environ,
            config.STATE_DIR_ENV: str(Path(folder) / "state"),
            config.CACHE_DIR_ENV: str(Path(folder) / "cache"),
        }
        for name in (config.TRACKING_URI_ENV, config.STORAGE_ENV, config.DATA_ENV):
            env.pop(name, None)
        commands = _commands(_prepared_manifest(Path(folder) / "storage"))
        figures: dict[str, dict[str, float]] = {}
        for label, (command, expected) in commands.items():
            samples = [_time_once(command, expected, env) for _ in range(repeats)]
            walls = [wall for wall, _ in samples]
            figures[label] = {
                "median_s": round(statistics.median(walls), 3),
                "max_s": round(max(walls), 3),
                "cpu_median_s": round(statistics.median(cpu for _, cpu in samples), 3),
            }
    return {
        "repeats": repeats,
        "load_average_1min": round(load_average, 2),
        "target_s": TARGET_S,
        "commands": figures,
    }

"""Part 1: wall time per step and peak memory of `healthpredict experiment run` on the real data.

The CLI runs as a subprocess into a temporary state folder. Step timings come from its progress
lines (`<step> done in <s> s`, healthpredict.experiment.timed); peak RSS from `/usr/bin/time -v`
(the largest process of the tree), else from polling the process tree with psutil (the sum).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import psutil

from bench.common import REPO_ROOT, BenchError
from pipeline.core import config

logger = logging.getLogger(__name__)

GNU_TIME: Final = Path("/usr/bin/time")
STEP_LINE: Final = re.compile(r"(?P<step>[\w -]+?) done in (?P<seconds>[0-9.]+) s")
FITTING_LINE: Final = re.compile(r"model fitting: (?P<fit>[0-9.]+) s of (?P<total>[0-9.]+) s")
CPU_LINE: Final = re.compile(r"(?P<kind>User|System) time \(seconds\): (?P<seconds>[0-9.]+)")
MAX_RSS_LINE: Final = re.compile(r"Maximum resident set size \(kbytes\): (?P<kb>\d+)")
POLL_S: Final = 0.2
TIMEOUT_S: Final = 1800


def _command() -> list[str]:
    cli = Path(sys.executable).with_name("healthpredict")
    if not cli.exists():
        raise BenchError(f"{cli} is missing: install the project (uv sync)")
    return [str(cli), "experiment", "run"]


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def _run(command: list[str], env: dict[str, str], log: Path) -> tuple[int, float, int]:
    """Exit code, wall seconds, and the tree's peak RSS seen by polling (bytes)."""
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        watched = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            try:
                peak = max(peak, _tree_rss(watched))
            except psutil.NoSuchProcess:
                break
            if time.perf_counter() - started > TIMEOUT_S:
                process.kill()
                raise BenchError(f"experiment run took over {TIMEOUT_S} s; see {log}")
            time.sleep(POLL_S)
        code = process.wait()
    return code, time.perf_counter() - started, peak


def run(*, quick: bool) -> dict[str, Any]:
    data = os.environ.get(config.DATA_ENV)
    if quick:
        return {"status": "skipped", "reason": "quick mode (add --experiment to run it)"}
    if not data or not Path(data).exists():
        return {"status": "skipped", "reason": f"${config.DATA_ENV} is not set to the data set"}
    with tempfile.TemporaryDirectory(prefix="healthpredict-bench-experiment-") as tmp:
        state = Path(tmp) / "state"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.update({config.STATE_DIR_ENV: str(state), config.DATA_ENV: data})
        env.pop(config.STORAGE_ENV, None)
        log = Path(tmp) / "experiment.log"
        command = _command()
        if GNU_TIME.exists():
            command = [str(GNU_TIME), "-v", *command]
        code, wall, polled_peak = _run(command, env, log)
        output = log.read_text(encoding="utf-8", errors="replace")
        if code != 0:
            kept = REPO_ROOT / "bench-results" / "experiment-failed.log"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, kept)
            raise BenchError(f"healthpredict experiment run exited {code}; see {kept}")
        nannyml = _nannyml_agreement(env)
    steps = {m["step"].strip(): float(m["seconds"]) for m in STEP_LINE.finditer(output)}
    gnu = MAX_RSS_LINE.search(output)
    fitting = FITTING_LINE.search(output)
    fit_s = float(fitting["fit"]) if fitting else None
    cpu = {m["kind"]: float(m["seconds"]) for m in CPU_LINE.finditer(output)}
    return {
        "wall_s": round(wall, 1),
        # The split the issue asks for: inside XGBoost fits vs everything else (start-up
        # imports, reads, drift checks, MLflow logging and registration, the CLI's own steps).
        "model_fitting_s": fit_s,
        "everything_else_s": None if fit_s is None else round(wall - fit_s, 1),
        # user + sys CPU seconds: less sensitive than wall time to other load on the machine.
        "cpu_s": round(sum(cpu.values()), 1) if cpu else None,
        "peak_rss_mb": round(int(gnu["kb"]) / 1024, 1) if gnu else round(polled_peak / 2**20, 1),
        "peak_rss_source": "/usr/bin/time -v (largest process)" if gnu else "psutil tree sum",
        "peak_rss_tree_sum_mb": round(polled_peak / 2**20, 1),
        "steps_s": steps,
        # issue 23: the label-free estimate against NannyML 0.13.1 on this run's predictions
        "cbpe_vs_nannyml_max_difference": nannyml,
    }


def _nannyml_agreement(env: dict[str, str]) -> float | str:
    """`bench.cbpe_agreement` on the state folder just written (NannyML in its own venv,
    created on first use); the largest difference, or why it could not run."""
    completed = subprocess.run(
        [sys.executable, "-c", "import json; from bench import cbpe_agreement as a; "
         "print(json.dumps(a.compare()['largest_difference']))"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    if completed.returncode != 0:
        return f"not measured: {(completed.stderr.strip().splitlines() or ['?'])[-1][:200]}"
    return float(completed.stdout.strip().splitlines()[-1])

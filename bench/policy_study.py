"""The policy study that chooses the pipeline's default training policy, as docs/policy-study.md
fixes it (written and committed before the study was run).

Usage: ``.venv/bin/python -m bench.policy_study [--phase selection|confirmation|all]``.

For each seed: prepare the data (``steps.prepare`` into a temporary folder; the seed cuts the
initial split and every batch), train the initial model as the pipeline does (its seeded search
and the refit), then replay every ``drift``-triggered training policy with the initial search's
best hyper-parameters fixed, like the default replay. A candidate's seed score is the mean over
steps N = 0..4 of its forward-in-time paired AUC difference to the reference
(``pipeline.replay.forward``). Seeds are the independent units: a candidate's interval is the 95%
t-interval of its seed scores (``scipy.stats.t``). Nothing is written to MLflow.

Selection runs the selection seeds and records the selected candidate; confirmation then runs the
held-out seeds and keeps the candidate only if its confirmation interval lies above 0.
Writes ``bench/results/policy_study.json`` (committed) and prints the tables docs/policies.md
quotes.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
from scipy import stats as scipy_stats

from pipeline import replay, steps
from pipeline.data.storage import LocalStorage
from pipeline.models import training
from pipeline.replay import forward, policies
from pipeline.replay.policies import Policy

logger = logging.getLogger("bench.policy_study")

SELECTION_SEEDS: Final = (1001, 1002, 1003, 1004, 1005)
CONFIRMATION_SEEDS: Final = (2001, 2002, 2003, 2004, 2005)
OUTPUT: Final = Path(__file__).parent / "results" / "policy_study.json"
REFERENCE: Final = Policy("drift", policies.AllData.name, policies.VALIDATION_INITIAL)
CANDIDATES: Final = tuple(
    Policy("drift", name, validation)
    for name in policies.TRAINING_POLICIES
    for validation in policies.VALIDATION_CHOICES
)
LEVEL: Final = 0.95


def one_seed(seed: int, data_path: str | None) -> dict[str, Any]:
    """Every candidate on one seed: forward AUCs, paired differences to the reference."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="healthpredict-policy-study-") as folder:
        storage = LocalStorage(folder)
        steps.prepare(data_path, storage, seed)
        data = replay.load_data(storage)
    search = training.search(
        data.initial_train, data.initial_validation, training.TrainingSettings(seed=seed)
    )
    initial = replay.ScoringModel(
        replay.INITIAL_MODEL_KEY, search.final_model, search.final_preprocessor
    )
    replayer = replay.Replayer(
        data, initial, replay.fast_settings(seed), fixed_params=search.best.params
    )
    results = [replayer.run(policy, configured=policy == REFERENCE) for policy in CANDIDATES]
    compared = forward.compare(results)
    out: dict[str, Any] = {
        "seed": seed,
        "drift_shares": {str(b): round(s, 4) for b, s in data.drift_shares.items()},
        "fixed_hyperparameters": search.best.params,
        "policies": {},
    }
    for result in results:
        comparison = compared[result.policy.label]
        out["policies"][result.policy.label] = {
            "decisions": [str(step.decision) for step in result.steps],
            "auc_next": [round(s.auc.auc, 6) for s in comparison.steps],
            "delta_next": [round(s.vs_configured.delta, 6) for s in comparison.steps],
            "calibration_slope_next": [
                None if s.calibration_slope is None else round(s.calibration_slope, 4)
                for s in comparison.steps
            ],
            "seed_score": comparison.mean_vs_configured.mean,
            "training_seconds": round(result.training_seconds, 1),
        }
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def t_interval(values: Sequence[float]) -> dict[str, float]:
    """Mean and two-sided 95% t-interval over seeds (the seeds are the independent units)."""
    array = np.asarray(values, dtype=np.float64)
    mean = float(array.mean())
    if array.size < 2:
        return {"mean": mean, "ci_low": float("nan"), "ci_high": float("nan")}
    half = float(
        scipy_stats.t.ppf(0.5 + LEVEL / 2, array.size - 1) * array.std(ddof=1) / np.sqrt(array.size)
    )
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half}


def summarise(per_seed: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return {
        policy.label: t_interval(
            [seed["policies"][policy.label]["seed_score"] for seed in per_seed]
        )
        for policy in CANDIDATES
        if policy != REFERENCE
    }


def select(summary: dict[str, dict[str, float]]) -> str:
    """The candidate with the highest mean seed score (the protocol's step 1)."""
    return max(summary, key=lambda label: summary[label]["mean"])


def run_phase(seeds: Sequence[int], data_path: str | None) -> list[dict[str, Any]]:
    per_seed = []
    for seed in seeds:
        per_seed.append(one_seed(seed, data_path))
        logger.info("seed %d done in %.0f s", seed, per_seed[-1]["seconds"])
    return per_seed


def revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def format_table(phase: str, summary: dict[str, dict[str, float]]) -> str:
    lines = [
        f"{phase}: mean seed score (forward paired AUC difference to {REFERENCE.label}) "
        "[95% t-interval over seeds]",
    ]
    for label, row in summary.items():
        lines.append(
            f"  {label:32} {row['mean']:+.4f} [{row['ci_low']:+.4f}, {row['ci_high']:+.4f}]"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=("selection", "confirmation", "all"), default="all")
    parser.add_argument("--data", default=None, help="CSV or zip (default: the data search)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    result: dict[str, Any] = (
        json.loads(args.output.read_text())
        if args.output.exists()
        else {"protocol": "docs/policy-study.md"}
    )
    result["reference"] = REFERENCE.label
    if args.phase in ("selection", "all"):
        seeds = run_phase(SELECTION_SEEDS, args.data)
        summary = summarise(seeds)
        result["selection"] = {
            "seeds": seeds,
            "summary": summary,
            "selected": select(summary),
            "revision": revision(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        result.pop("confirmation", None)
        write(args.output, result)
        sys.stdout.write(format_table("selection", summary) + "\n")
    if args.phase in ("confirmation", "all"):
        if "selection" not in result:
            parser.error("run the selection phase first (--phase selection)")
        selected = result["selection"]["selected"]
        seeds = run_phase(CONFIRMATION_SEEDS, args.data)
        summary = summarise(seeds)
        confirmed = summary[selected]["ci_low"] > 0
        result["confirmation"] = {
            "seeds": seeds,
            "summary": summary,
            "selected": selected,
            "confirmed": confirmed,
            "revision": revision(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        result["default"] = selected if confirmed else REFERENCE.label
        write(args.output, result)
        sys.stdout.write(format_table("confirmation", summary) + "\n")
        sys.stdout.write(
            f"selected {selected}; confirmed: {confirmed}; default {result['default']}\n"
        )
    return 0


def write(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())

"""The five-seed policy study that picks the pipeline's default training policy (issue 12, item 5).

Usage: ``nice -n 10 .venv/bin/python bench/policy_study.py [--seeds 42 1 7 123 2024]``.

For each seed: prepare the data (``steps.prepare`` into a temporary folder), train the
initial model as the pipeline does (the seeded search and the refit), then replay every
``drift``-triggered training policy (each validation choice) with the initial search's best
hyper-parameters fixed, like the default replay. Nothing is written to MLflow.

The rule, fixed before looking: the default becomes the training policy with the highest mean
AUC over batches 1-5 (all seeds) among the drift-triggered ones, unless its lead over
``all_data`` (initial validation, today's) is inside the pooled 95% interval, in which case
``all_data`` stays. The lead is the mean over seeds x batches of the paired AUC difference on
each batch's test split (``pipeline.core.stats.paired_auc_difference``); the splits are independent
across batches and seeds, so the pooled variance is the sum of the paired DeLong variances over
the count squared.

Writes ``bench-results/policy_study.json`` and prints the table docs/policies.md quotes.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import tempfile
import time
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

from pipeline import replay, steps
from pipeline.core.stats import paired_auc_difference
from pipeline.data import features
from pipeline.data.storage import LocalStorage
from pipeline.models import training
from pipeline.replay import policies
from pipeline.replay.policies import Policy

logger = logging.getLogger("bench.policy_study")

DEFAULT_SEEDS = (42, 1, 7, 123, 2024)
DEFAULT_OUTPUT = Path("bench-results/policy_study.json")
REFERENCE = Policy("drift", policies.AllData.name, policies.VALIDATION_INITIAL)
CANDIDATES = tuple(
    Policy("drift", name, validation)
    for name in policies.TRAINING_POLICIES
    for validation in policies.VALIDATION_CHOICES
)


def one_seed(seed: int, data_path: str | None) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="healthpredict-policy-study-") as folder:
        storage = LocalStorage(folder)
        steps.prepare(data_path, storage, seed)
        data = replay.load_data(storage)
        settings = training.TrainingSettings(seed=seed)
    search = training.search(data.initial_train, data.initial_validation, settings)
    initial = replay.ScoringModel(
        replay.INITIAL_MODEL_KEY, search.final_model, search.final_preprocessor
    )
    rows: dict[str, Any] = {}
    for policy in CANDIDATES:
        replayer = replay.Replayer(
            data, initial, replay.fast_settings(seed), fixed_params=search.best.params
        )
        result = replayer.run(policy)
        rows[key(policy)] = result
    reference = rows[key(REFERENCE)]
    out: dict[str, Any] = {
        "seed": seed,
        "drift_shares": {str(b): round(s, 4) for b, s in data.drift_shares.items()},
        "fixed_hyperparameters": search.best.params,
        "seconds": round(time.perf_counter() - started, 1),
        "policies": {},
    }
    for name, result in rows.items():
        differences = []
        for step, ref_step in zip(result.steps, reference.steps, strict=True):
            y_true = data.batch_test[step.batch][features.TARGET].to_numpy(dtype=np.int64)
            diff = paired_auc_difference(y_true, step.scores, ref_step.scores)
            differences.append({"delta": diff.delta, "variance": diff.variance})
        out["policies"][name] = {
            "auc": [step.auc.auc for step in result.steps],
            "decisions": [str(step.decision) for step in result.steps],
            "mean_auc": result.mean_auc,
            "training_seconds": round(result.training_seconds, 1),
            "vs_all_data": differences,
        }
    return out


def key(policy: Policy) -> str:
    return f"{policy.training_policy}:{policy.validation}"


def summarise(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    z = NormalDist().inv_cdf(0.975)
    summary: dict[str, Any] = {}
    for policy in CANDIDATES:
        name = key(policy)
        diffs = [d for seed in per_seed for d in seed["policies"][name]["vs_all_data"]]
        count = len(diffs)
        lead = sum(d["delta"] for d in diffs) / count
        half = z * math.sqrt(sum(d["variance"] for d in diffs)) / count
        summary[name] = {
            "mean_auc": float(np.mean([s["policies"][name]["mean_auc"] for s in per_seed])),
            "mean_auc_per_seed": [s["policies"][name]["mean_auc"] for s in per_seed],
            "batch5_auc_per_seed": [s["policies"][name]["auc"][-1] for s in per_seed],
            "lead_over_all_data": lead,
            "lead_ci": [lead - half, lead + half],
        }
    best = max(summary, key=lambda name: summary[name]["mean_auc"])
    low = summary[best]["lead_ci"][0]
    chosen = best if best != key(REFERENCE) and low > 0 else key(REFERENCE)
    return {"policies": summary, "best_by_mean_auc": best, "chosen": chosen}


def format_table(result: dict[str, Any]) -> str:
    seeds = [s["seed"] for s in result["seeds"]]
    lines = [
        "| drift x training policy (validation) | "
        + " | ".join(f"seed {s}" for s in seeds)
        + " | mean AUC | batch 5 (mean) | lead over all_data [95% pooled] |",
        "|---" * (len(seeds) + 4) + "|",
    ]
    for name, row in result["summary"]["policies"].items():
        per_seed = " | ".join(f"{v:.4f}" for v in row["mean_auc_per_seed"])
        low, high = row["lead_ci"]
        lines.append(
            f"| {name} | {per_seed} | {row['mean_auc']:.4f} | "
            f"{np.mean(row['batch5_auc_per_seed']):.4f} | "
            f"{row['lead_over_all_data']:+.4f} [{low:+.4f}, {high:+.4f}] |"
        )
    lines.append(
        f"best by mean AUC: {result['summary']['best_by_mean_auc']}; "
        f"chosen: {result['summary']['chosen']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--data", default=None, help="CSV or zip (default: load_raw's search)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    per_seed = []
    for seed in args.seeds:
        per_seed.append(one_seed(seed, args.data))
        logger.info("seed %d done in %.0f s", seed, per_seed[-1]["seconds"])
        partial = {"seeds": per_seed, "complete": False}
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(partial, indent=2, allow_nan=False) + "\n")
    result = {"seeds": per_seed, "complete": True, "summary": summarise(per_seed)}
    args.output.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    sys.stdout.write(format_table(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

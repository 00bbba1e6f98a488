"""Measure the drift story: drift shares of batches 1-5 for several seeds.

Usage: ``.venv/bin/python bench/drift_story.py --seeds 42 1 7 123 2024 [--data PATH]``.
Prints one row per seed and writes ``bench-results/drift_story.json`` (the table in
docs/drift.md comes from here). The data come from ``pipeline.data.raw.load_raw``: ``--data``, else
``$HEALTHPREDICT_DATA``, the cache or the official download.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.core import config, contract
from pipeline.data import features
from pipeline.data import raw as data
from pipeline.drift.batches import DEFAULT_BATCH_SIZE, make_batches
from pipeline.drift.detection import detect_drift

logger = logging.getLogger("bench.drift_story")

NO_DRIFT_MAX: float = 0.20
DRIFT_MIN: float = 0.40
DEFAULT_OUTPUT = Path("bench-results/drift_story.json")


def measure(seeds: list[int], data_path: str | None, size: int) -> dict[str, Any]:
    raw = data.load_raw(data_path)
    results: list[dict[str, Any]] = []
    for seed in seeds:
        split = data.split_initial(raw.frame, seed)  # each seed has its own test patients
        reference = features.clean(split.train)
        started = time.perf_counter()
        batches = make_batches(split.future, split.train, seed=seed, size=size)
        batch_seconds = time.perf_counter() - started
        started = time.perf_counter()
        reports = [detect_drift(reference, features.clean(b.frame)) for b in batches]
        drift_seconds = time.perf_counter() - started
        results.append(
            {
                "seed": seed,
                "make_batches_seconds": round(batch_seconds, 3),
                "drift_check_seconds": round(drift_seconds, 3),
                "batches": [
                    {
                        "batch": b.number,
                        "profile": b.profile,
                        "rows": len(b.frame),
                        "drift_share": round(r.drift_share, 4),
                        "n_drifted_columns": r.n_drifted_columns,
                        "n_total_columns": r.n_total_columns,
                        "retrain": r.retrain,
                        "drifted_columns": r.drifted_columns,
                    }
                    for b, r in zip(batches, reports, strict=True)
                ],
            }
        )
    holds = all(
        (b["drift_share"] <= NO_DRIFT_MAX) if b["batch"] <= 2 else (b["drift_share"] >= DRIFT_MIN)
        for result in results
        for b in result["batches"]
    )
    return {
        "data_sha256": raw.sha256,
        "reference_rows": len(reference),
        "batch_size": size,
        "drift_threshold": contract.DEFAULT_DRIFT_THRESHOLD,
        "story": {"no_drift_max": NO_DRIFT_MAX, "drift_min": DRIFT_MIN, "holds": holds},
        "seeds": results,
    }


def format_table(summary: dict[str, Any]) -> str:
    lines = ["| seed | batch 1 | batch 2 | batch 3 | batch 4 | batch 5 | drift check (s) |"]
    lines.append("|---|---|---|---|---|---|---|")
    for result in summary["seeds"]:
        shares = " | ".join(
            f"{b['drift_share']:.2f} ({b['n_drifted_columns']}/{b['n_total_columns']})"
            for b in result["batches"]
        )
        lines.append(f"| {result['seed']} | {shares} | {result['drift_check_seconds']:.2f} |")
    lines.append(f"story holds: {summary['story']['holds']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[config.DEFAULT_SEED])
    parser.add_argument("--data", default=None, help="CSV or zip (default: load_raw's search)")
    parser.add_argument("--size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    summary = measure(args.seeds, args.data, args.size)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    sys.stdout.write(format_table(summary) + "\n")
    logger.info("wrote %s", args.output)
    return 0 if summary["story"]["holds"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

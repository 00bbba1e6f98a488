"""``python -m baseline``: the original documented command, plus local / S3-URI storage.

``add_arguments`` and ``run`` are what ``healthpredict baseline`` wires in; ``main`` is the
stand-alone entry point that turns a ``HealthPredictError`` into one line on stderr and its exit
code (no Production model: 2; capture already running: 3).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pipeline.core import options
from pipeline.core.contract import model_version_uri
from pipeline.core.errors import HealthPredictError
from pipeline.core.uris import install_log_redaction, redact_text
from pipeline.data.storage import S3_SCHEME

logger = logging.getLogger(__name__)

LEGACY_TRACKING_URI_FLAG = "--mlflow-tracking-uri"
DESCRIPTION = (
    "Capture Batch 0: score the Production model on initial_test and log it as the batch-0 "
    "quality-gate and drift runs, the reference every later batch is compared with. Exits 2 "
    "when there is no Production model yet; waits while another capture against the store "
    "runs (with --no-wait it exits 3 instead)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The original flags (``--mlflow-tracking-uri``, ``--s3-bucket-name``) on the shared ones."""
    options.add_tracking_uri(parser, other_names=(LEGACY_TRACKING_URI_FLAG,))
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--s3-bucket-name",
        default=None,
        metavar="BUCKET",
        help="read processed_data/initial_test.csv from this S3 bucket",
    )
    options.add_storage(parser, storage_group=where)
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail (exit 3) instead of waiting when another capture against the store is running",
    )


def storage_location(args: argparse.Namespace) -> str:
    if args.s3_bucket_name:
        bucket = str(args.s3_bucket_name)
        return bucket if bucket.startswith(S3_SCHEME) else f"{S3_SCHEME}{bucket}"
    return options.storage(args)


def run(args: argparse.Namespace) -> int:
    """Capture the baseline and print what was logged; errors propagate to the caller."""
    tracking_uri = options.tracking_uri(args)  # a bad scheme is refused before MLflow loads
    # Imported here so `--help` and argument errors answer before MLflow and XGBoost load.
    from baseline.capture import capture_baseline

    result = capture_baseline(
        tracking_uri,
        storage_location(args),
        s3_endpoint_url=args.s3_endpoint_url,
        blocking=not getattr(args, "no_wait", False),
    )
    lines = [
        f"Baseline captured for {model_version_uri(result.model_version)}",
        f"  quality_gate_batch_0 run  {result.quality_gate_run_id}",
        f"  drift_batch_0 run         {result.drift_run_id}",
        f"  AUC {result.auc:.4f}   F1 {result.f1:.4f}   "
        f"precision {result.precision:.4f}   recall {result.recall:.4f}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m baseline",
        description=DESCRIPTION,
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    try:
        return run(args)
    except HealthPredictError as error:
        sys.stderr.write(f"error: {redact_text(str(error))}\n")
        return error.exit_code

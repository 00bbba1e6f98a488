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

from pipeline.core import config
from pipeline.core.contract import model_version_uri
from pipeline.core.errors import HealthPredictError
from pipeline.core.uris import install_log_redaction, redact_text
from pipeline.data.storage import S3_SCHEME

logger = logging.getLogger(__name__)

DESCRIPTION = "Capture Batch 0: score the Production model on initial_test and log it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mlflow-tracking-uri",
        "--tracking-uri",
        dest="mlflow_tracking_uri",
        default=None,
        metavar="URI",
        help="the MLflow store to log to: http(s)://host:port, sqlite:///file.db, ... "
        "(default: $MLFLOW_TRACKING_URI, else SQLite in the state folder $HEALTHPREDICT_HOME)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--s3-bucket-name",
        default=None,
        metavar="BUCKET",
        help="read processed_data/initial_test.csv from this S3 bucket",
    )
    where.add_argument(
        "--storage",
        default=None,
        metavar="DIR|s3://BUCKET[/PREFIX]",
        help="a local folder or s3://bucket[/prefix] (default: $HEALTHPREDICT_STORAGE "
        "or the state folder's storage/)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail (exit 3) instead of waiting when another capture against the store is running",
    )
    parser.add_argument(
        "--s3-endpoint-url",
        default=None,
        metavar="URL",
        help="S3-compatible endpoint such as MinIO, for S3 storage "
        "(default: $MLFLOW_S3_ENDPOINT_URL, else AWS)",
    )


def storage_location(args: argparse.Namespace) -> str:
    if args.s3_bucket_name:
        bucket = str(args.s3_bucket_name)
        return bucket if bucket.startswith(S3_SCHEME) else f"{S3_SCHEME}{bucket}"
    return str(args.storage or config.default_storage())


def run(args: argparse.Namespace) -> int:
    """Capture the baseline and print what was logged; errors propagate to the caller."""
    # Imported here so `--help` and argument errors answer before MLflow and XGBoost load.
    from baseline.capture import capture_baseline

    tracking_uri = args.mlflow_tracking_uri or config.default_tracking_uri()
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

"""``main``: parse, set up logging, run the command; an expected failure is one line.

Progress goes to stderr as log lines with step names and timings; results go to stdout. Expected
failures (``HealthPredictError``: bad data, unreachable MLflow, missing bucket, a batch outside
the prepared range, a port in use...) print one ``error: ...`` line and exit with the error's
code, no traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Final

from healthpredict.cli.options import Command
from healthpredict.cli.parser import build_parser
from pipeline.core.errors import HealthPredictError
from pipeline.core.uris import install_log_redaction, redact_text

NOISY_LOGGERS: Final = ("mlflow", "alembic", "urllib3", "botocore", "httpx")


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    install_log_redaction()
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    handler: Command = args.handler
    try:
        return handler(args)
    except HealthPredictError as error:
        sys.stderr.write(f"error: {redact_text(str(error))}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130

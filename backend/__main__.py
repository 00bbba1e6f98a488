"""`python -m backend [--host H] [--port P]`: serve the report API."""

from __future__ import annotations

import argparse
import sys

from backend.server import DEFAULT_HOST, DEFAULT_PORT, port_number, serve
from pipeline.core.errors import HealthPredictError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="TCP port, 1-65535 (%(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port)
    except HealthPredictError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m backend.openapi`: print the OpenAPI schema (the frontend generates its client)."""

from __future__ import annotations

import json
import sys

from backend.main import create_app
from backend.settings import Settings


def schema() -> dict[str, object]:
    """The schema does not depend on the environment: default settings, no MLflow access."""
    return create_app(Settings()).openapi()


if __name__ == "__main__":
    sys.stdout.write(json.dumps(schema(), indent=2) + "\n")

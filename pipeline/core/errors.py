"""The domain's exceptions. Each message is one line that names the problem."""

from __future__ import annotations

from typing import Final

from pipeline.core.uris import redact_text


class HealthPredictError(Exception):
    """Base class: the CLI prints the message on one line and exits non-zero."""

    exit_code = 1


class DataError(HealthPredictError):
    """The raw data set is missing, corrupt or not the expected table."""


class StorageError(HealthPredictError):
    """A storage key, folder or bucket is missing or unreachable."""


class TrackingError(HealthPredictError):
    """MLflow is unreachable or answered with an error."""


class NoProductionModelError(HealthPredictError):
    """The registry has no Production version of the model yet."""

    exit_code = 2


class FeatureMismatchError(HealthPredictError):
    """A model and a preprocessor (or a frame) that do not fit together."""


class BatchError(HealthPredictError):
    """A batch number outside the prepared range, or a batch run before `prepare`."""


class CaptureInProgressError(HealthPredictError):
    """Another baseline capture holds the lock."""

    exit_code = 3


class PolicyError(HealthPredictError):
    """An unknown trigger, training policy or validation choice, or a policy that cannot run."""


ONE_LINE_LIMIT: Final = 300


def one_line(error: BaseException) -> str:
    """The first line of an exception's message (its type name when empty), at most 300 chars."""
    lines = str(error).strip().splitlines()
    text = redact_text(" ".join(lines[0].split())) if lines else type(error).__name__
    return text if len(text) <= ONE_LINE_LIMIT else text[: ONE_LINE_LIMIT - 3] + "..."

"""The manifest ``prepare`` stores with the data: the seed, the data's sha256 and the batches cut.

It is ``drift_monitoring/manifest.csv``, one row per batch with its profile and size (a CSV because
the storage API speaks CSV). It is what refuses a batch outside the prepared range, or a batch run
before ``prepare``: the range is only known once the data has been prepared.

Read with the standard library's ``csv`` (not pandas), so ``healthpredict batch run 9`` can refuse
at once, before any heavy module or MLflow loads.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from pipeline.core.contract import MANIFEST_KEY
from pipeline.core.errors import BatchError, DataError

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.data.storage import Storage

PREPARE_HINT: Final = "run `healthpredict experiment prepare` first"
COLUMNS: Final = ("batch", "profile", "description", "rows", "seed", "data_sha256", "batch_size")


@dataclass(frozen=True)
class BatchInfo:
    number: int
    profile: str
    description: str
    rows: int


@dataclass(frozen=True)
class Manifest:
    """What ``prepare`` stored: the seed and data it used and the batches it cut."""

    seed: int
    data_sha256: str
    batch_size: int
    batches: tuple[BatchInfo, ...]

    @property
    def batch_numbers(self) -> list[int]:
        return [info.number for info in self.batches]

    def info(self, batch: int) -> BatchInfo:
        """The batch's row, or ``BatchError`` naming the prepared range."""
        for info in self.batches:
            if info.number == batch:
                return info
        numbers = self.batch_numbers
        raise BatchError(
            f"batch {batch} is outside the prepared range {min(numbers)}-{max(numbers)}"
        )

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                "batch": info.number,
                "profile": info.profile,
                "description": info.description,
                "rows": info.rows,
                "seed": self.seed,
                "data_sha256": self.data_sha256,
                "batch_size": self.batch_size,
            }
            for info in self.batches
        )

    @classmethod
    def from_text(cls, text: str, where: str) -> Manifest:
        """Parse the stored CSV; ``DataError`` naming the file when it is not a manifest."""
        try:
            rows = sorted(csv.DictReader(io.StringIO(text)), key=lambda r: int(r["batch"]))
            batch_infos = tuple(
                BatchInfo(int(r["batch"]), r["profile"], r["description"], int(r["rows"]))
                for r in rows
            )
            first = rows[0]
            return cls(
                int(first["seed"]), first["data_sha256"], int(first["batch_size"]), batch_infos
            )
        except (KeyError, IndexError, ValueError, TypeError, csv.Error) as error:
            raise DataError(
                f"{MANIFEST_KEY} in {where} is unreadable ({error}) — {PREPARE_HINT}"
            ) from error


def read_manifest(storage: Storage) -> Manifest:
    """The prepared data's manifest; ``BatchError`` when ``prepare`` has not run on this storage."""
    if not storage.exists(MANIFEST_KEY):
        raise BatchError(f"storage {storage.describe()} has no prepared data — {PREPARE_HINT}")
    return Manifest.from_text(storage.read_text(MANIFEST_KEY), storage.describe())

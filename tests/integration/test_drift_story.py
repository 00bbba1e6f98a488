"""The drift story on the real data: quiet batches 1-2, drifted batches 3-5, default seed.

The five-seed table lives in bench/drift_story.py (docs/drift.md); here the default seed only,
to keep the suite fast on a shared machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.core import config, contract
from pipeline.data import features
from pipeline.data import raw as data
from pipeline.data.storage import open_storage
from pipeline.drift.batches import BATCH_PLAN, Batch, make_batches
from pipeline.drift.detection import DriftReport, detect_drift

pytestmark = pytest.mark.integration

NO_DRIFT_MAX = 0.20
DRIFT_MIN = 0.40


@pytest.fixture(scope="module")
def split(real_data_path: Path) -> data.InitialSplit:
    raw = data.load_raw(real_data_path)
    assert raw.sha256 == "0689e7ec031237dc63031b938805c48377748761a3b26acab621567afa24df97"
    return data.split_initial(raw.frame, config.DEFAULT_SEED)


@pytest.fixture(scope="module")
def story(split: data.InitialSplit) -> list[tuple[Batch, DriftReport]]:
    reference = features.clean(split.train)
    batches = make_batches(split.future, split.train, seed=config.DEFAULT_SEED)
    return [(b, detect_drift(reference, features.clean(b.frame))) for b in batches]


def test_quiet_batches_stay_below_and_drifted_batches_above(story):
    shares = {b.number: r.drift_share for b, r in story}
    assert [b.profile for b, _ in story] == list(BATCH_PLAN)
    assert shares[1] <= NO_DRIFT_MAX and shares[2] <= NO_DRIFT_MAX, shares
    assert min(shares[3], shares[4], shares[5]) >= DRIFT_MIN, shares
    decisions = {b.number: r.retrain for b, r in story}
    assert decisions == {1: False, 2: False, 3: True, 4: True, 5: True}
    assert shares[4] > shares[3]  # strong covariate drift is stronger than gradual


def test_reports_are_strict_json_with_every_analysed_column(story):
    for _, report in story:
        records = json.loads(json.dumps(report.to_records(), allow_nan=False))
        assert len(records) == report.n_total_columns == 41
        assert sum(r["drifted"] for r in records) == report.n_drifted_columns
        assert {r["test"] for r in records} <= {"wasserstein", "jensenshannon"}  # ~14k reference


def test_batches_survive_storage_as_raw_csv(story, split, tmp_path: Path):
    storage = open_storage(tmp_path / "storage")
    reference = features.clean(split.train)
    for batch, report in story:
        storage.write_csv(contract.batch_data_key(batch.number), batch.frame)
        stored = storage.read_csv(contract.batch_data_key(batch.number))
        assert list(stored.columns) == list(features.RAW_COLUMNS)
        assert len(stored) == 2000
        again = detect_drift(reference, features.clean(stored))
        assert again.to_records() == report.to_records()


def test_concept_batch_reverses_the_prior_stay_relation(story, split):
    def readmission_by_prior_stay(frame):
        prepared = features.prepare(frame)
        return prepared.groupby(prepared["number_inpatient"] > 0)[features.TARGET].mean()

    before = readmission_by_prior_stay(split.train)
    after = readmission_by_prior_stay(story[4][0].frame)
    assert before[True] - before[False] > 0.1
    assert after[True] - after[False] < -0.1

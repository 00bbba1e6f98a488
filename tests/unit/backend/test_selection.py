"""Which runs the report shows (backend.selection, over pipeline.tracking.store's rules): batch
numbers, the latest finished run, quality-gate runs, the Production version."""

from __future__ import annotations

import pytest

from backend import selection
from backend.mlflow_reader import RegistryVersion, RunRecord
from pipeline.tracking import store
from tests.unit.backend.records import run


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", 0), ("5", 5), ("007", 7), ("1000000000", 1_000_000_000),
        ("abc", None), ("-1", None), ("", None), (None, None), ("1e3", None), (" 2", None),
        ("2.0", None), ("10000000000000000000000", None), ("1000000001", None),
        ("\uff13", None), ("\u0663", None),
    ],
)  # fmt: skip
def test_batch_numbers(raw: str | None, expected: int | None) -> None:
    assert store.parse_batch_number(raw) == expected


def test_latest_finished_by_start_then_end_then_run_id() -> None:
    chosen = selection.latest_per_batch(
        [
            run("a", start=100, end=900),
            run("b", start=200, end=300),
            run("c", start=200, end=400),
            run("z", start=50, end=5000),
        ]
    )[1]
    assert chosen.chosen is not None and chosen.chosen.run_id == "c"
    assert chosen.superseded == 3 and chosen.unfinished_newer == 0
    tie = selection.latest_per_batch([run("x", start=1, end=2), run("y", start=1, end=2)])[1]
    assert tie.chosen is not None and tie.chosen.run_id == "y"


def test_newer_unfinished_runs_are_counted_but_do_not_hide_the_finished_one() -> None:
    result = selection.latest_per_batch(
        [
            run("old-failed", start=10, status="FAILED"),
            run("good", start=100),
            run("failed", start=200, status="FAILED"),
            run("running", start=300, end=None, status="RUNNING"),
            run("killed", start=400, status="KILLED"),
        ]
    )[1]
    assert result.chosen is not None and result.chosen.run_id == "good"
    assert result.unfinished_newer == 3
    assert result.superseded == 4


def test_a_batch_without_finished_runs_has_no_result() -> None:
    result = selection.latest_per_batch([run("r", status="RUNNING")])[1]
    assert result.chosen is None and result.unfinished_newer == 1


@pytest.mark.parametrize(
    ("record", "is_gate"),
    [
        (run("a", tags={"quality_gate": "True"}), True),
        (run("b", tags={"quality_gate": "TRUE"}), True),
        (run("c", name="quality_gate_batch_3"), True),
        (run("d", name="quality_gate_batch_3", tags={"hpo_trial": "true"}), False),
        (run("e", tags={"quality_gate": "True", "hpo_trial": "True"}), False),
        (run("f", name="training_batch_3", metrics={"new_auc_test": 0.9}), False),
        (run("g", tags={"quality_gate": "False"}), False),
    ],
)
def test_gate_runs(record: RunRecord, is_gate: bool) -> None:
    assert store.is_gate_run(record) is is_gate


def test_production_alias_then_highest_stage() -> None:
    versions = [
        RegistryVersion("1", "r1", "Production", ()),
        RegistryVersion("2", "r2", "Archived", ("production",)),
        RegistryVersion("10", "r10", "production", ()),
        RegistryVersion("9", "r9", "PRODUCTION", ()),
    ]
    chosen = store.production_of(versions)
    assert chosen is not None and chosen.version == "2"
    chosen = store.production_of(versions[:1] + versions[2:])
    assert chosen is not None and chosen.version == "10"  # numeric, not text, order
    assert store.production_of([RegistryVersion("3", "r3", "Staging", ("Production",))]) is None

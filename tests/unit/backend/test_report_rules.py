"""The report's pure rules: batch numbers, latest-run choice, Production, summary, takeaway."""

from __future__ import annotations

import pytest

from backend import report
from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from pipeline.core import contract


def run(
    run_id: str,
    batch: str | None = "1",
    *,
    start: int | None = 100,
    end: int | None = 200,
    status: str = "FINISHED",
    name: str = "",
    tags: dict[str, str] | None = None,
    metrics: dict[str, float] | None = None,
    params: dict[str, str] | None = None,
) -> RunRecord:
    all_params = dict(params or {})
    if batch is not None:
        all_params[contract.Param.BATCH_NUMBER] = batch
    return RunRecord(
        run_id, "1", name, status, start, end, all_params, dict(tags or {}), dict(metrics or {})
    )


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
    assert report.parse_batch_number(raw) == expected


def test_latest_finished_by_start_then_end_then_run_id() -> None:
    chosen = report.latest_per_batch(
        [
            run("a", start=100, end=900),
            run("b", start=200, end=300),
            run("c", start=200, end=400),
            run("z", start=50, end=5000),
        ]
    )[1]
    assert chosen.chosen is not None and chosen.chosen.run_id == "c"
    assert chosen.superseded == 3 and chosen.unfinished_newer == 0
    tie = report.latest_per_batch([run("x", start=1, end=2), run("y", start=1, end=2)])[1]
    assert tie.chosen is not None and tie.chosen.run_id == "y"


def test_newer_unfinished_runs_are_counted_but_do_not_hide_the_finished_one() -> None:
    result = report.latest_per_batch(
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
    result = report.latest_per_batch([run("r", status="RUNNING")])[1]
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
    assert report.is_gate_run(record) is is_gate


def test_production_alias_then_highest_stage() -> None:
    versions = [
        RegistryVersion("1", "r1", "Production", ()),
        RegistryVersion("2", "r2", "Archived", ("production",)),
        RegistryVersion("10", "r10", "production", ()),
        RegistryVersion("9", "r9", "PRODUCTION", ()),
    ]
    chosen = report.production_version(versions)
    assert chosen is not None and chosen.version == "2"
    chosen = report.production_version(versions[:1] + versions[2:])
    assert chosen is not None and chosen.version == "10"  # numeric, not text, order
    assert (
        report.production_version([RegistryVersion("3", "r3", "Staging", ("Production",))]) is None
    )


def gate(
    batch: int, decision: str, prod: float | None, new: float | None, trained: str = ""
) -> RunRecord:
    metrics = {}
    if prod is not None:
        metrics[contract.prod_metric("auc")] = prod
    if new is not None:
        metrics[contract.new_metric("auc")] = new
    params = {contract.Param.TRAINING_RUN_ID: trained} if trained else {}
    tags = {"quality_gate": "True", "decision": decision}
    return run(f"g{batch}", str(batch), start=batch * 10, tags=tags, metrics=metrics, params=params)


def summarize(gates: list[RunRecord], versions: list[RegistryVersion]):
    selection = report.select(StoreSnapshot("1", "2", [], gates, versions))
    batches = report.assemble_batches(selection, {}, 0.3, None)
    return report.assemble_summary(selection, batches)


def test_end_auc_is_the_new_model_when_the_last_batch_deployed() -> None:
    summary = summarize(
        [gate(0, "BASELINE", 0.68, 0.68), gate(1, "SKIP", 0.66, 0.60, "t1"),
         gate(2, "DEPLOY_REFRESH", 0.65, 0.64, "t2")],
        [RegistryVersion("2", "t2", "Production")],
    )  # fmt: skip
    assert summary.start_auc == pytest.approx(0.68)
    assert summary.end_auc == pytest.approx(0.64)
    assert summary.production_model is not None
    assert summary.production_model.auc == pytest.approx(0.64)
    assert (summary.retraining_events, summary.deployments, summary.batches_processed) == (2, 1, 2)
    assert summary.takeaway == (
        "Over 2 batches, drift led to 2 retrainings and 1 deployment; Production's AUC went from "
        "0.680 on the initial test set to 0.640 on batch 2's test set."
    )


def test_end_auc_is_production_when_the_last_batch_did_not_deploy() -> None:
    summary = summarize(
        [gate(0, "BASELINE", 0.7, 0.7), gate(1, "DEPLOY", 0.6, 0.75, "t1"),
         gate(2, "SKIP", 0.72, 0.5, "t2"), gate(3, "SKIP_NO_DRIFT", 0.71, 0.71)],
        [RegistryVersion("1", "t0", "Archived"), RegistryVersion("2", "t1", "Production")],
    )  # fmt: skip
    assert summary.end_auc == pytest.approx(0.71)
    # version 2 (deployed at batch 1) was last scored as Production at batch 3
    assert summary.production_model is not None
    assert summary.production_model.auc == pytest.approx(0.71)


def test_initial_model_auc_stops_at_the_batch_that_replaced_it() -> None:
    summary = summarize(
        [gate(0, "BASELINE", 0.7, 0.7), gate(1, "SKIP_NO_DRIFT", 0.69, 0.69),
         gate(2, "DEPLOY", 0.67, 0.75, "t2"), gate(3, "SKIP_NO_DRIFT", 0.74, 0.74)],
        [RegistryVersion("1", "t0", "Production")],  # e.g. rolled back to the initial model
    )  # fmt: skip
    assert summary.production_model is not None
    assert summary.production_model.auc == pytest.approx(0.67)


def test_production_never_scored_has_null_auc() -> None:
    summary = summarize([], [RegistryVersion("1", "t0", None, ("production",))])
    assert summary.production_model is not None and summary.production_model.auc is None
    assert summary.takeaway.startswith("No results yet")


def test_takeaway_for_baseline_only_and_without_retraining() -> None:
    only_baseline = summarize([gate(0, "BASELINE", 0.68, 0.68)], [])
    assert only_baseline.takeaway == (
        "Baseline captured: Production scores AUC 0.680 on the initial test set; "
        "no batch has been processed yet."
    )
    quiet = summarize([gate(1, "SKIP_NO_DRIFT", 0.66, 0.66)], [])
    assert quiet.takeaway == (
        "Over 1 batch, no batch was retrained; Production's AUC is 0.660 on batch 1's test set."
    )


def test_drifted_columns_keep_only_drifted_and_tolerate_junk() -> None:
    columns = report.drifted_columns(
        [
            {"column": "age", "drifted": True, "statistic": float("inf"), "p_value": 0.01},
            {"column": "race", "drifted": False},
            {"column": 3, "drifted": True},
            "junk",
        ]
    )
    assert columns is not None and [c.column for c in columns] == ["age"]
    assert columns[0].statistic is None and columns[0].p_value == pytest.approx(0.01)
    assert report.drifted_columns({"not": "a list"}) is None

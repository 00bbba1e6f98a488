"""The hero's bottom line (backend.bottom_line) and the chance words, over hand-built gate runs:
the seed-42 story (Production at 0.482 [0.435, 0.528] on batch 5) must say "no better than
chance", and "inconclusive" whenever the averaged effect's interval includes 0."""

from __future__ import annotations

import pytest

from backend import batch_results, selection
from backend.bottom_line import chance_words
from backend.mlflow_reader import RegistryVersion, RunRecord, StoreSnapshot
from backend.summary import REPORT_TITLE, assemble_summary
from pipeline.core import contract
from pipeline.core.contract import EvidenceMetric
from tests.unit.backend.records import run


def gate(
    batch: int,
    decision: str,
    prod: tuple[float, float, float],
    new: tuple[float, float, float] | None = None,
    net: tuple[float, float, float] | None = None,
    trained: str = "",
) -> RunRecord:
    metrics: dict[str, float] = {}
    for prefix, scores in (("prod", prod), ("new", new)):
        if scores is not None:
            metrics[f"{prefix}_auc_test"] = scores[0]
            metrics[contract.auc_ci_low_metric(prefix)] = scores[1]
            metrics[contract.auc_ci_high_metric(prefix)] = scores[2]
    metrics[contract.initial_metric("auc")] = prod[0]
    if net is not None:
        metrics[EvidenceMetric.NET_AUC_CHANGE] = net[0]
        metrics[EvidenceMetric.NET_AUC_CHANGE_CI_LOW] = net[1]
        metrics[EvidenceMetric.NET_AUC_CHANGE_CI_HIGH] = net[2]
    params = {contract.Param.TRAINING_RUN_ID: trained} if trained else {}
    tags = {"quality_gate": "True", "decision": decision}
    return run(f"g{batch}", str(batch), start=batch * 10, tags=tags, metrics=metrics, params=params)


def summarize(gates: list[RunRecord], versions: list[RegistryVersion]):
    chosen = selection.select(StoreSnapshot("1", "2", [], gates, versions))
    batches = batch_results.assemble_batches(chosen, {}, 0.3, None)
    return assemble_summary(chosen, batches)


STORY = [
    gate(0, "BASELINE", (0.68, 0.66, 0.70)),
    gate(1, "SKIP_NO_DRIFT", (0.63, 0.59, 0.68)),
    gate(2, "DEPLOY", (0.67, 0.63, 0.72), (0.69, 0.65, 0.73), (0.02, -0.01, 0.05), "t2"),
    gate(3, "DEPLOY", (0.60, 0.55, 0.64), (0.482, 0.435, 0.528), (0.03, -0.01, 0.07), "t3"),
]
VERSIONS = [RegistryVersion("1", "t0", "Archived"), RegistryVersion("3", "t3", "Production")]


def test_the_title_is_the_reports_own():
    assert REPORT_TITLE == "Health Predict \u2014 Continuous Improvement Experiment"
    assert summarize(STORY, VERSIONS).title == REPORT_TITLE


def test_the_bottom_line_says_what_happened_whether_it_helped_and_that_production_is_a_coin_flip():
    lines = summarize(STORY, VERSIONS).bottom_line
    assert len(lines) == 3
    assert lines[0] == (
        "3 batches of new patients arrived; the model was retrained on batches 2 and 3 and "
        "2 new versions were deployed."
    )
    # mean of +0.02 and +0.03 = +0.025; each half-width 0.03 and 0.04 -> sd 0.03/1.96, 0.04/1.96
    # -> sd of the mean = sqrt(0.03^2 + 0.04^2) / 2 / 1.96 = 0.025 / 1.96 -> half-width 0.025
    assert lines[1] == (
        "Against the model that was never retrained, retraining changed AUC by +0.025 on average "
        "(95% CI 0.000 to +0.050): inconclusive, the interval includes no change."
    )
    assert lines[2] == (
        "The model in Production now (version 3) scores AUC 0.482 (95% CI 0.435 to 0.528) on "
        "batch 3: no better than chance, so its risk scores should not be relied on until it is "
        "replaced."
    )


def test_the_hero_card_carries_the_chance_words():
    summary = summarize(STORY, VERSIONS)
    assert summary.production_model is not None
    assert summary.production_model.vs_chance == "no better than chance"
    assert summary.end_production is not None
    assert summary.end_production.vs_chance == "no better than chance"
    assert summary.start is not None and summary.start.vs_chance == "better than chance"


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (0.51, 0.60, "better than chance"),
        (0.50, 0.60, "no better than chance"),  # touching 0.5 is not above it
        (0.435, 0.528, "no better than chance"),
        (0.38, 0.48, "worse than chance"),
    ],
)
def test_chance_words_by_where_the_interval_lies_against_one_half(low, high, words):
    assert chance_words((low + high) / 2, low, high) == words
    assert chance_words(0.5, None, None) is None


def test_no_bottom_line_before_any_batch():
    summary = summarize([gate(0, "BASELINE", (0.68, 0.66, 0.70))], [])
    assert summary.bottom_line == []


def with_estimate(record: RunRecord, prefix: str, estimate: float) -> RunRecord:
    metrics = dict(record.metrics)
    metrics[contract.auc_estimated_metric(prefix)] = estimate
    metrics[contract.auc_estimated_ci_low_metric(prefix)] = estimate - 0.01
    metrics[contract.auc_estimated_ci_high_metric(prefix)] = estimate + 0.01
    return run(
        record.run_id, record.params[contract.Param.BATCH_NUMBER], start=record.start_time,
        tags=record.tags, metrics=metrics, params=dict(record.params),
    )  # fmt: skip


def test_a_missed_estimate_on_the_latest_batch_gets_one_sentence():
    # Production scored 0.60 (0.55 to 0.64) on batch 3; estimated 0.70 before the labels: 0.10
    # apart, beyond 1.96 x sqrt((0.045 / 1.96)^2 + (0.01 / 1.96)^2) = 0.046.
    missed = [*STORY[:3], with_estimate(STORY[3], "prod", 0.70)]
    sentences = summarize(missed, VERSIONS).bottom_line
    assert sentences[-1] == (
        "Before its labels arrived, Production's AUC on batch 3 was estimated at 0.700 (95% CI "
        "0.690 to 0.710); it turned out 0.600: the relation between the patients' data and "
        "readmission changed, which no estimate made without labels can see."
    )
    tracked = [*STORY[:3], with_estimate(STORY[3], "prod", 0.62)]
    assert len(summarize(tracked, VERSIONS).bottom_line) == len(sentences) - 1

"""The gate's evidence: which figures each path records, under the contract's names."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pipeline.core import contract, stats
from pipeline.core.contract import AlarmOutcome, AucChange
from pipeline.core.contract import EvidenceMetric as M
from pipeline.core.contract import EvidenceTag as T
from pipeline.evidence import measure as evidence
from pipeline.models.scoring import Scores
from tests.support.bootstrap import binormal_scores


def scores_of(y_true: np.ndarray, raw: np.ndarray) -> Scores:
    """Scores of a model whose probability is the logistic of ``raw``."""
    probability = 1 / (1 + np.exp(-raw))
    return Scores(
        auc=stats.auc_with_ci(y_true, probability).auc,
        f1=0.5,
        precision=0.5,
        recall=0.5,
        y_true=y_true,
        y_score=probability,
    )


def measured(
    initial: Scores,
    *,
    production: Scores | None,
    new: Scores | None,
    after: Scores,
    drift: bool,
    reference: stats.AucEstimate | None = None,
) -> evidence.GateEvidence:
    return evidence.gate_evidence(
        initial_model_version="1",
        initial=initial,
        initial_on_initial_test=reference,
        production=production,
        new=new,
        after=after,
        drift_detected=drift,
    )


@pytest.fixture(scope="module")
def batch() -> tuple[Scores, Scores]:
    """The initial model (weaker) and a retrained new model on 600 shared test rows."""
    labels, strong, weak = binormal_scores(np.random.default_rng(1), 600, 0.45, 1.2, 0.5, 0.3)
    return scores_of(labels, weak), scores_of(labels, strong)


def test_a_deployed_new_model_gets_a_paired_verdict_and_a_net_effect(batch):
    initial, new = batch
    reference = stats.auc_with_ci(initial.y_true, initial.y_score)
    result = measured(
        initial,
        production=initial,
        new=new,
        after=new,
        drift=True,
        reference=reference,
    )
    metrics, tags = result.metrics(), result.tags()
    change = stats.paired_auc_difference(initial.y_true, new.y_score, initial.y_score)
    assert change.ci_low > 0  # separations 1.2 vs 0.5: a clear gain
    assert tags[T.AUC_CHANGE] == AucChange.BETTER
    assert metrics[M.AUC_IMPROVEMENT_CI_LOW] == change.ci_low
    assert metrics[M.AUC_IMPROVEMENT_P_VALUE] == change.p_value
    # Production after the decision is the new model, so the net effect is the same comparison.
    assert metrics[M.NET_AUC_CHANGE] == pytest.approx(change.delta)
    for prefix in (contract.PROD_PREFIX, contract.NEW_PREFIX, contract.INITIAL_PREFIX):
        assert contract.auc_ci_low_metric(prefix) in metrics
        assert contract.brier_metric(prefix) in metrics
    assert metrics[contract.initial_metric("auc")] == initial.auc
    assert metrics[M.POSITIVE_RATE_TEST] == pytest.approx(initial.y_true.mean())
    assert result.params() == {contract.EvidenceParam.INITIAL_MODEL_VERSION: "1"}
    # Same test set as its reference here, so no shift: drift without harm.
    assert tags[T.ALARM_OUTCOME] == AlarmOutcome.HARMLESS_ALARM
    assert all(math.isfinite(value) for value in metrics.values())


def test_a_gate_without_retraining_has_no_verdict_and_a_zero_net_effect(batch):
    initial, _ = batch
    reference = stats.AucEstimate(0.80, 0.78, 0.82, 0.0001)
    result = measured(
        initial,
        production=initial,
        new=None,
        after=initial,
        drift=False,
        reference=reference,
    )
    metrics, tags = result.metrics(), result.tags()
    assert T.AUC_CHANGE not in tags
    assert M.AUC_IMPROVEMENT_CI_LOW not in metrics
    assert contract.auc_ci_low_metric(contract.NEW_PREFIX) not in metrics
    assert (metrics[M.NET_AUC_CHANGE], metrics[M.NET_AUC_CHANGE_P_VALUE]) == (0.0, 1.0)
    assert metrics[M.NET_AUC_CHANGE_CI_LOW] == metrics[M.NET_AUC_CHANGE_CI_HIGH] == 0.0
    # The initial model lost about 0.16 AUC against 0.80 elsewhere, and no drift was seen.
    assert metrics[M.INITIAL_AUC_SHIFT] == pytest.approx(initial.auc - 0.80)
    assert metrics[M.INITIAL_AUC_SHIFT_CI_HIGH] < 0
    assert tags[T.ALARM_OUTCOME] == AlarmOutcome.MISSED_ALARM


def test_on_the_initial_test_set_the_shift_is_exactly_zero_and_the_run_is_quiet(batch):
    initial, _ = batch
    result = measured(initial, production=initial, new=None, after=initial, drift=False)
    metrics = result.metrics()
    shift = (M.INITIAL_AUC_SHIFT, M.INITIAL_AUC_SHIFT_CI_LOW, M.INITIAL_AUC_SHIFT_CI_HIGH)
    assert [metrics[name] for name in shift] == [0.0, 0.0, 0.0]
    assert result.tags()[T.ALARM_OUTCOME] == AlarmOutcome.QUIET


def test_each_scored_model_has_a_strict_json_reliability_curve(batch):
    initial, new = batch
    result = measured(initial, production=None, new=new, after=new, drift=True)
    artifacts = result.artifacts()
    assert set(artifacts) == {
        contract.RELIABILITY_NEW_ARTIFACT,
        contract.RELIABILITY_INITIAL_ARTIFACT,
    }
    payload = json.loads(json.dumps(artifacts[contract.RELIABILITY_NEW_ARTIFACT], allow_nan=False))
    assert sum(b["count"] for b in payload["bins"]) == 600
    assert set(payload["bins"][0]) == set(contract.RELIABILITY_BIN_FIELDS)
    assert T.AUC_CHANGE not in result.tags()  # nothing to compare the first model with


def test_models_scored_on_different_rows_are_refused(batch):
    initial, new = batch
    shuffled = scores_of(new.y_true[::-1].copy(), new.y_score)
    with pytest.raises(ValueError, match="same test rows"):
        measured(initial, production=initial, new=shuffled, after=shuffled, drift=True)

"""The retrain verdict travels from the drift run to `/batches`; the backend only falls back.

The page colours the drift bar and words the batch from `retrain_triggered` / `trigger_reason`,
so these fields must say what the pipeline decided (a forced retrain on a quiet batch is
"forced", not "below threshold"), with each run's own threshold, and the fallback for stores
that predate the tags must be `share >= that run's threshold`, flagged as derived.
"""

from __future__ import annotations

import pytest

from backend import drift_verdict
from backend.mlflow_reader import RunRecord
from pipeline.core import contract
from pipeline.core.contract import TriggerReason


def drift_record(tags: dict[str, str] | None = None) -> RunRecord:
    return RunRecord("r", "1", "drift_batch_1", "FINISHED", 1, 2, tags=tags or {})


def verdict_tags(triggered: str, reason: str) -> dict[str, str]:
    return {contract.Tag.RETRAIN_TRIGGERED: triggered, contract.Tag.TRIGGER_REASON: reason}


@pytest.mark.parametrize(
    ("tags", "share", "threshold", "expected"),
    [
        # logged: shown as logged, whatever the share says
        (verdict_tags("True", "forced"), 0.05, 0.3, (True, TriggerReason.FORCED, True)),
        (verdict_tags("False", "none"), 0.9, 0.3, (False, TriggerReason.NONE, True)),
        (verdict_tags(" true ", "DRIFT"), 0.5, 0.3, (True, TriggerReason.DRIFT, True)),
        (verdict_tags("True", "whim"), 0.5, 0.3, (True, None, True)),  # unknown reason: null
        # not logged: share >= this run's threshold, flagged derived
        ({}, 0.30, 0.30, (True, TriggerReason.DRIFT, False)),
        ({}, 0.29, 0.30, (False, TriggerReason.NONE, False)),
        ({}, 0.40, 0.50, (False, TriggerReason.NONE, False)),
        ({}, None, 0.30, (None, None, False)),
        (verdict_tags("maybe", "drift"), 0.1, 0.3, (False, TriggerReason.NONE, False)),
    ],
)
def test_verdict_is_the_logged_one_else_share_against_the_runs_threshold(
    tags: dict[str, str],
    share: float | None,
    threshold: float,
    expected: tuple[bool | None, TriggerReason | None, bool],
) -> None:
    verdict = drift_verdict.retrain_verdict(1, drift_record(tags), share, threshold)
    assert (verdict.triggered, verdict.reason, verdict.logged) == expected


def test_batch_zero_has_no_verdict() -> None:
    logged = drift_record(verdict_tags("True", "drift"))
    verdict = drift_verdict.retrain_verdict(0, logged, 1.0, 0.3)
    assert (verdict.triggered, verdict.reason, verdict.logged) == (None, None, False)


def rows(api) -> dict[int, dict]:
    response = api.get("/batches")
    assert response.status_code == 200
    return {row["batch"]: row for row in response.json()["batches"]}


def test_batches_carry_each_runs_threshold_and_verdict(store, make_client) -> None:
    store.drift_run(0, 0.0, threshold="0.3")
    quiet = store.drift_run(1, 0.05, threshold="0.3")
    store.client.set_tag(quiet, contract.Tag.RETRAIN_TRIGGERED, contract.Tag.TRUE)
    store.client.set_tag(quiet, contract.Tag.TRIGGER_REASON, TriggerReason.FORCED.value)
    store.drift_run(2, 0.4, threshold="0.5")  # an old store: no tags, its own threshold
    store.drift_run(3, 0.32)  # no threshold param either: the API's default (0.25 here)
    store.drift_run(4, 0.2, threshold="not a number")

    got = rows(make_client(store.tracking_uri, drift_threshold=0.25))

    def verdict(batch: int) -> tuple:
        drift = got[batch]["drift"]
        return (
            drift["threshold"],
            drift["retrain_triggered"],
            drift["trigger_reason"],
            drift["trigger_logged"],
        )

    assert verdict(0) == (0.3, None, None, False)
    assert verdict(1) == (0.3, True, "forced", True)
    assert verdict(2) == (0.5, False, "none", False)
    assert verdict(3) == (0.25, True, "drift", False)
    assert verdict(4) == (0.25, False, "none", False)


def test_scores_name_the_version_they_belong_to(store, make_client) -> None:
    trained = store.training_run(1)
    deployed = store.gate_run(1, "DEPLOY", prod_auc=0.6, new_auc=0.7, training_run_id=trained)
    kept = store.gate_run(2, "SKIP", prod_auc=0.7, new_auc=0.5, training_run_id=trained)
    old = store.gate_run(3, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7)  # predates the param
    for run_id, before, after in ((deployed, "1", "2"), (kept, "2", "2")):
        store.client.log_param(run_id, contract.Param.PRODUCTION_MODEL_VERSION, before)
        store.client.log_param(run_id, contract.Param.MODEL_VERSION, after)
    store.client.log_param(old, contract.Param.MODEL_VERSION, "2")

    got = rows(make_client(store.tracking_uri))

    assert (got[1]["production"]["version"], got[1]["new"]["version"]) == ("1", "2")
    assert (got[2]["production"]["version"], got[2]["new"]["version"]) == ("2", None)
    assert got[3]["production"]["version"] is None

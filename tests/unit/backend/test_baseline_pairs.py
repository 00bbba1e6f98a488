"""Batch 0 is shown as one capture: its gate run and drift run share a `capture_id`.

A capture killed between ending its two runs used to leave the gate run FINISHED and the drift
run RUNNING; the report then showed the new gate run next to an older capture's drift run.
"""

from __future__ import annotations

from pipeline.core import contract


def capture(store, capture_id: str, *, drift_status: str = "FINISHED") -> tuple[str, str]:
    tags = {contract.Tag.CAPTURE_ID: capture_id}
    gate = store.gate_run(0, "BASELINE", prod_auc=0.7, new_auc=0.7)
    store.client.set_tag(gate, contract.Tag.CAPTURE_ID, capture_id)
    drift = store.drift_run(0, 0.0, status=drift_status, tags=tags)
    return gate, drift


def baseline_row(api) -> dict:
    response = api.get("/batches")
    assert response.status_code == 200
    return next(row for row in response.json()["batches"] if row["batch"] == 0)


def test_half_a_capture_is_not_shown_next_to_an_older_one(store, make_client) -> None:
    whole_gate, whole_drift = capture(store, "first")
    capture(store, "killed", drift_status="RUNNING")  # gate FINISHED, drift never ended

    row = baseline_row(make_client(store.tracking_uri))

    assert (row["quality_gate_run_id"], row["drift"]["run_id"]) == (whole_gate, whole_drift)
    assert row["unfinished_newer_runs"] == 2  # the half capture is said to exist


def test_the_latest_whole_capture_wins(store, make_client) -> None:
    capture(store, "first")
    newer_gate, newer_drift = capture(store, "second")

    row = baseline_row(make_client(store.tracking_uri))

    assert (row["quality_gate_run_id"], row["drift"]["run_id"]) == (newer_gate, newer_drift)
    assert row["unfinished_newer_runs"] == 0

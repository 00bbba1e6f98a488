"""`batch run 3` on a finished experiment: the summary says what is true of the store now.

The store below is what the pipeline leaves after batches 0-5 (versions 1-4) and then a re-run of
batch 3 that deploys version 5. The summary used to name v5 with v2's AUC on batch 4's test set
(it walked batches by number, and batch 4 comes "after" batch 3). Now it walks gate runs in the
order they ran, and says that batches were re-run out of order.
"""

from __future__ import annotations

import pytest

from pipeline.core import contract


def build(store, *, with_version_params: bool) -> dict[str, float]:
    """Batches 0-5 in order, then batch 3 again; returns each version's deploy-time AUC."""
    trained = {1: store.training_run(0)}
    store.register(trained[1], stage="Archived")

    def gate(batch: int, decision: str, prod: float, new: float, before: int, after: int) -> None:
        training = trained.get(after) if after != before else None
        run_id = store.gate_run(
            batch, decision, prod_auc=prod, new_auc=new, training_run_id=training
        )
        if with_version_params:
            store.client.log_param(run_id, contract.Param.PRODUCTION_MODEL_VERSION, str(before))
            store.client.log_param(run_id, contract.Param.MODEL_VERSION, str(after))

    def deploy(batch: int, version: int) -> None:
        trained[version] = store.training_run(batch)
        store.register(trained[version], stage="Archived")

    gate(0, "BASELINE", 0.7057, 0.7057, 1, 1)
    gate(1, "SKIP_NO_DRIFT", 0.6338, 0.6338, 1, 1)
    gate(2, "SKIP_NO_DRIFT", 0.6774, 0.6774, 1, 1)
    deploy(3, 2)
    gate(3, "DEPLOY", 0.6684, 0.6727, 1, 2)
    deploy(4, 3)
    gate(4, "DEPLOY", 0.6748, 0.6830, 2, 3)
    deploy(5, 4)
    gate(5, "DEPLOY", 0.4278, 0.4328, 3, 4)
    # the re-run of batch 3: v4 scored on batch 3's test set, candidate v5 deployed
    trained[5] = store.training_run(3)
    store.register(trained[5], alias=True)
    gate(3, "DEPLOY", 0.6600, 0.6791, 4, 5)
    return {"v5": 0.6791}


@pytest.mark.parametrize("with_version_params", [True, False], ids=["pipeline", "legacy"])
def test_summary_names_the_production_version_with_its_own_score(
    store, make_client, with_version_params: bool
) -> None:
    expected = build(store, with_version_params=with_version_params)

    summary = make_client(store.tracking_uri).get("/summary").json()

    assert summary["production_model"]["version"] == "5"
    assert summary["production_model"]["auc"] == pytest.approx(expected["v5"])
    assert "Batch 3 ran again after later batches" in summary["takeaway"]


def test_batches_run_in_order_carry_no_warning(store, make_client) -> None:
    store.gate_run(0, "BASELINE", prod_auc=0.7, new_auc=0.7)
    store.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7)
    store.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7)  # a re-run of the last batch

    summary = make_client(store.tracking_uri).get("/summary").json()

    assert "ran again" not in summary["takeaway"]

"""Each batch says what it is: the profile logged on its drift run reaches `/batches`."""

from __future__ import annotations

from pipeline.core import contract


def test_batches_carry_the_logged_profile_and_null_without_it(store, make_client) -> None:
    built = store.drift_run(3, 0.49)
    store.client.log_param(built, contract.Param.BATCH_PROFILE, "gradual_covariate_drift")
    store.client.log_param(built, contract.Param.BATCH_DESCRIPTION, "older and sicker patients")
    store.drift_run(4, 0.56)  # an older store: no profile logged

    response = make_client(store.tracking_uri).get("/batches")

    assert response.status_code == 200
    drift = {row["batch"]: row["drift"] for row in response.json()["batches"]}
    assert (drift[3]["profile"], drift[3]["profile_description"]) == (
        "gradual_covariate_drift",
        "older and sicker patients",
    )
    assert (drift[4]["profile"], drift[4]["profile_description"]) == (None, None)

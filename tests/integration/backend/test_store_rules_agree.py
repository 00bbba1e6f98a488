"""`experiment run --if-missing` and `/batches` read "finished gate run of batch N" one way.

The two used to disagree: the pipeline took `str.isdigit` batch numbers (a full-width digit
counts) and the exact tag `quality_gate=True` (HPO trials that carry it count, a lowercase tag or
a gate run named `quality_gate_batch_N` without the tag do not); the page took the opposite on
every point. Each store below is one where the old rules disagreed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from healthpredict import experiment
from pipeline.core import contract
from pipeline.data.manifest import MANIFEST_KEY, BatchInfo, Manifest
from pipeline.data.storage import LocalStorage
from pipeline.tracking import client as tracking

BATCHES = (1, 2, 3)


def prepared_storage(folder: Path) -> LocalStorage:
    """Storage whose manifest says batches 1-3 were prepared (no data needed to read it)."""
    storage = LocalStorage(folder)
    infos = tuple(BatchInfo(n, "no_drift", "test", 10) for n in BATCHES)
    manifest = Manifest(seed=1, data_sha256="0" * 64, batch_size=10, batches=infos)
    storage.write_csv(MANIFEST_KEY, manifest.to_frame())
    return storage


def gated_batches(api) -> set[int]:
    response = api.get("/batches")
    assert response.status_code == 200
    return {row["batch"] for row in response.json()["batches"] if row["quality_gate_run_id"]}


def with_production(store) -> None:
    store.register(store.training_run(0), alias=True)


def test_lookalike_gate_runs_count_for_neither(store, make_client, tmp_path: Path) -> None:
    """Old pipeline rule: complete (so `--if-missing` skipped); the page: batches 2, 3 missing."""
    for batch in (0, 1):
        store.gate_run(batch, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7)
    store.trial_run(2, gate_name=True)  # an HPO trial named like a gate run...
    store.run(  # ... that even carries the gate tag
        contract.TRAINING_EXPERIMENT,
        "trial",
        params={contract.Param.BATCH_NUMBER: "2"},
        tags={contract.Tag.QUALITY_GATE: contract.Tag.TRUE, contract.Tag.HPO_TRIAL: "True"},
    )
    store.gate_run("\uff13", "DEPLOY", prod_auc=0.6, new_auc=0.7)  # full-width 3
    with_production(store)
    client = tracking.configure(store.tracking_uri)

    shown = gated_batches(make_client(store.tracking_uri))

    assert shown == {0, 1}
    assert experiment.finished_gate_batches(client) == shown
    assert not experiment.is_complete(client, prepared_storage(tmp_path / "storage"))


def test_older_gate_spellings_count_for_both(store, make_client, tmp_path: Path) -> None:
    """Old pipeline rule: incomplete (so `--if-missing` re-ran everything); the page: complete."""
    store.gate_run(0, "BASELINE", prod_auc=0.7, new_auc=0.7)
    store.gate_run(1, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7, tag="true")
    store.gate_run(2, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7, tag=None)  # name only
    store.gate_run(3, "SKIP_NO_DRIFT", prod_auc=0.7, new_auc=0.7, tag="TRUE")
    with_production(store)
    storage_folder = tmp_path / "storage"
    prepared_storage(storage_folder)

    shown = gated_batches(make_client(store.tracking_uri))
    result = subprocess.run(
        [sys.executable, "-m", "healthpredict", "experiment", "run", "--if-missing",
         "--tracking-uri", store.tracking_uri, "--storage", str(storage_folder)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert shown == {0, *BATCHES}
    assert result.returncode == 0, result.stderr
    assert "already there" in result.stdout

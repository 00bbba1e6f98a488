"""Issue 24 item 5: one writer per batch. A second `batch run 4` while the first runs refuses at
once, in one line naming the running one (it used to mark the first's live run KILLED, and both
promoted a version); a crashed holder's lease ends with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pipeline.tracking import lease

HOLD = (
    "import sys, time\n"
    "from mlflow import MlflowClient\n"
    "from pipeline.tracking.lease import step_lease\n"
    "with step_lease(MlflowClient(sys.argv[1], sys.argv[1]), 'batch 4'):\n"
    "    print('holding', flush=True)\n"
    "    time.sleep(120)\n"
)


def _holder(tracking_uri: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, tracking_uri], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


@pytest.mark.parametrize("kind", ["sqlite", "server"])
def test_a_second_run_of_the_same_batch_refuses_and_a_crashed_holder_frees_it(
    kind: str, tmp_path: Path
) -> None:
    if kind == "sqlite":
        tracking_uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
        context = None
    else:
        from tests.support.servers import mlflow_server

        context = mlflow_server(tmp_path)
        tracking_uri = context.__enter__().url
    try:
        client = MlflowClient(tracking_uri, tracking_uri)
        first = _holder(tracking_uri)
        try:
            with (
                pytest.raises(lease.StepRunningError) as refused,
                lease.step_lease(client, "batch 4"),
            ):
                pytest.fail("two writers of batch 4")
            line = str(refused.value)
            assert line.startswith(f"batch 4 is already running (pid {first.pid} on ")
            assert "\n" not in line
            with lease.step_lease(client, "batch 5"):  # another batch is not held up
                pass
        finally:
            os.kill(first.pid, signal.SIGKILL)  # a crash: no clean-up runs
            first.wait()
        if kind == "server":  # the store-held lease expires; make "later" now
            name = lease.LEASE_MODEL_PREFIX + "batch-4"
            client.set_registered_model_tag(name, "expires", str(time.time() - 1))
        with lease.step_lease(client, "batch 4"):
            pass
    finally:
        if context is not None:
            context.__exit__(None, None, None)

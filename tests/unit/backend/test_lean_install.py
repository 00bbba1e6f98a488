"""The report API's own install has no scipy, scikit-learn or xgboost (pyproject: those are the
`pipeline` extra): it must answer, with the same figures, where importing them fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from tests.support.api import api_settings
from tests.support.stores import BuiltStore, StoreSpec, build_store

ROOT = Path(__file__).resolve().parents[3]  # the repository (tests/unit/backend/..)
PATHS = ("/summary", "/batches")

# Run in a fresh interpreter where `import scipy` (and the model stack) raises ImportError.
WITHOUT_MODEL_STACK = """
import importlib.abc, json, sys
from pathlib import Path

class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("scipy", "sklearn", "xgboost"):
            raise ImportError(f"No module named {name!r} (the API's install has none)")
        return None

sys.meta_path.insert(0, Missing())
from fastapi.testclient import TestClient
from backend.main import create_app
from tests.support.api import api_settings

app = create_app(api_settings(sys.argv[1], Path(sys.argv[2])))
with TestClient(app) as client:
    answers = {path: client.get(path).json() for path in sys.argv[3:]}
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def evidence_store(tmp_path_factory: pytest.TempPathFactory) -> BuiltStore:
    return build_store(tmp_path_factory.mktemp("lean") / "store", StoreSpec(evidence=True))


def test_the_api_answers_the_same_without_scipy_sklearn_or_xgboost(
    evidence_store: BuiltStore, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = [sys.executable, "-c", WITHOUT_MODEL_STACK]
    completed = subprocess.run(
        [*script, evidence_store.tracking_uri, str(tmp_path), *PATHS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    lean = json.loads(completed.stdout.strip().splitlines()[-1])
    with TestClient(create_app(api_settings(evidence_store.tracking_uri, tmp_path))) as client:
        full = {path: client.get(path).json() for path in PATHS}
    assert lean["/summary"]["net_effect_average"] is not None  # the averaged figure is served
    assert lean == full

"""Does `pipeline.evidence.cbpe` estimate AUC as NannyML 0.13.1's CBPE does, on real predictions?

Usage: ``.venv/bin/python -m bench.cbpe_agreement`` after ``healthpredict experiment run`` (it
reads the store and storage of ``$HEALTHPREDICT_HOME``, default ``.healthpredict/``).

The initial model (the registered version trained on batch 0) scores ``initial_test`` (the
reference, with labels) and every batch's test split (without them). This project's estimate is
computed here; NannyML's runs in its own virtual environment (NannyML pins plotly < 6 and needs
statsmodels, so it stays out of the project's): created on first use in
``~/.cache/healthpredict/nannyml-venv`` with ``pip install nannyml==0.13.1 statsmodels``, or the
Python given by ``--nannyml-python``. Prints both estimates per batch and the largest difference;
exits 1 when it exceeds 1e-6.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Any, Final

import numpy as np

from pipeline.core import config, contract
from pipeline.data import features, splits
from pipeline.data.manifest import read_manifest
from pipeline.data.storage import open_storage
from pipeline.evidence import cbpe, initial_model
from pipeline.tracking import client as tracking

TOLERANCE: Final = 1e-6
NANNYML: Final = ("nannyml==0.13.1", "statsmodels")
DEFAULT_VENV: Final = config.cache_dir() / "nannyml-venv"

_NANNYML_SCRIPT: Final = """
import json, sys
import numpy as np, pandas as pd, nannyml as nml
data = np.load(sys.argv[1])
reference = pd.DataFrame({"p": data["reference_scores"], "y": data["reference_labels"]})
reference["pred"] = (reference["p"] > 0.5).astype(int)
estimator = nml.CBPE(y_pred_proba="p", y_pred="pred", y_true="y", metrics=["roc_auc"],
                     problem_type="classification_binary", chunk_number=1).fit(reference)
out = {}
for key in data.files:
    if key.startswith("batch_"):
        analysis = pd.DataFrame({"p": data[key]})
        analysis["pred"] = (analysis["p"] > 0.5).astype(int)
        frame = estimator.estimate(analysis).to_df()
        rows = frame[frame[("chunk", "period")] == "analysis"]
        out[key] = float(rows[("roc_auc", "value")].iloc[0])
print(json.dumps(out))
"""


def nannyml_python(given: str | None) -> Path:
    if given:
        return Path(given)
    python = DEFAULT_VENV / "bin" / "python"
    if not python.exists():
        venv.create(DEFAULT_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *NANNYML], check=True)
    return python


def compare(nannyml: str | None = None) -> dict[str, Any]:
    """Both estimates per batch for the store of ``$HEALTHPREDICT_HOME``, and the largest gap."""
    client = tracking.configure(config.default_tracking_uri())
    storage = open_storage(config.default_storage())
    model = initial_model.find(client)
    if model is None:
        raise RuntimeError("no initial model in the store: run `healthpredict experiment run`")
    reference = features.prepare(storage.read_csv(contract.INITIAL_TEST_KEY))
    scored = model.score(reference)
    arrays = {"reference_scores": scored.y_score, "reference_labels": scored.y_true}
    manifest = read_manifest(storage)
    for batch in manifest.batch_numbers:
        test = splits.read_batch(storage, manifest, batch).test
        arrays[f"batch_{batch}"] = model.score(test).y_score
    calibrator = cbpe.fit_calibrator(scored.y_true, scored.y_score)
    ours = {
        key: cbpe.estimate_auc(calibrator, values, draws=1).estimate
        for key, values in arrays.items()
        if key.startswith("batch_")
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "predictions.npz"
        np.savez(path, **arrays)
        completed = subprocess.run(
            [str(nannyml_python(nannyml)), "-c", _NANNYML_SCRIPT, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    theirs = json.loads(completed.stdout.strip().splitlines()[-1])
    batches = {
        key.removeprefix("batch_"): {"ours": value, "nannyml": theirs[key]}
        for key, value in ours.items()
    }
    largest = max(abs(b["ours"] - b["nannyml"]) for b in batches.values())
    return {
        "calibrated": calibrator.isotonic is not None,
        "batches": batches,
        "largest_difference": largest,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nannyml-python", default=None, help="a Python with nannyml==0.13.1")
    args = parser.parse_args(argv)
    try:
        result = compare(args.nannyml_python)
    except RuntimeError as error:
        print(f"error: {error}")
        return 1
    print(f"calibrated: {result['calibrated']}")
    print("| batch | this project | NannyML 0.13.1 | difference |\n|---|---|---|---|")
    for batch, pair in result["batches"].items():
        difference = pair["ours"] - pair["nannyml"]
        print(f"| {batch} | {pair['ours']:.6f} | {pair['nannyml']:.6f} | {difference:.1e} |")
    largest = result["largest_difference"]
    print(f"largest difference {largest:.1e} (tolerance {TOLERANCE:g})")
    return 0 if largest <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())

"""Refusals a user meets: each is one line naming the problem and the fix, at once, leaving nothing.

Real subprocesses of ``python -m healthpredict`` (``PYTHONPATH`` set to this checkout) with a
private state folder. "At once" is the refusal's own CPU time under a second and none of pandas,
MLflow, scikit-learn, XGBoost or uvicorn imported; "leaving nothing" is the file or folder the
command would have created, still absent afterwards.
"""

from __future__ import annotations

import socket
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support.cli import AT_ONCE_CPU_S, REPO_ROOT, Answer, isolated_environment, run_cli
from tests.support.sqlite_store import empty_store_uri

NO_STORE_FIX = (
    "run `healthpredict experiment run` first, or pass --tracking-uri with the store it wrote"
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def environment(tmp_path: Path, home: Path) -> dict[str, str]:
    return isolated_environment(tmp_path, home)


def assert_refused_at_once(answer: Answer, code: int, line: str) -> None:
    assert (answer.code, answer.error_lines) == (code, [line])
    assert answer.stdout == ""
    assert answer.heavy == set()
    assert answer.cpu_seconds < AT_ONCE_CPU_S


# --- Reading never writes --------------------------------------------------------------------
def test_serve_refuses_a_store_that_does_not_exist_and_creates_none(environment, home):
    answer = run_cli(environment, "serve", "--port", "1")
    database = home / "mlflow.db"
    assert_refused_at_once(
        answer, 1, f"error: no MLflow store at sqlite:///{database}: {NO_STORE_FIX}"
    )
    assert not home.exists()


def test_serve_from_another_folder_refuses_instead_of_serving_an_empty_store(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    answer = run_cli(isolated_environment(tmp_path, home=None), "serve", cwd=elsewhere)
    database = elsewhere / ".healthpredict" / "mlflow.db"
    assert_refused_at_once(
        answer, 1, f"error: no MLflow store at sqlite:///{database}: {NO_STORE_FIX}"
    )
    assert list(elsewhere.iterdir()) == []


def test_report_export_refuses_a_store_that_does_not_exist(environment, tmp_path):
    missing = tmp_path / "stores" / "mlflow.db"
    out = tmp_path / "report.html"
    answer = run_cli(
        environment, "report", "export", "--out", str(out), "--tracking-uri", f"sqlite:///{missing}"
    )
    assert_refused_at_once(
        answer, 1, f"error: no MLflow store at sqlite:///{missing}: {NO_STORE_FIX}"
    )
    assert not missing.parent.exists()
    assert not out.exists()


# --- A port in use -------------------------------------------------------------------------
def test_serve_on_a_port_in_use_names_the_port_and_the_fix(environment, tmp_path):
    tracking_uri = empty_store_uri(tmp_path / "store")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = run_cli(environment, "serve", "--port", str(port), "--tracking-uri", tracking_uri)
    assert_refused_at_once(
        answer,
        2,
        f"error: port {port} on 127.0.0.1 is already in use: stop what listens there or pass "
        "another --port",
    )


# --- Export destinations -------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["--out", "--pdf"])
def test_report_export_refuses_a_folder_that_does_not_exist_and_creates_none(
    environment, tmp_path, flag
):
    tracking_uri = empty_store_uri(tmp_path / "store")
    folder = tmp_path / "nonexistent-dir"
    target = folder / ("r.html" if flag == "--out" else "r.pdf")
    out = ["--out", str(tmp_path / "report.html")] if flag == "--pdf" else []
    answer = run_cli(
        environment, "report", "export", *out, flag, str(target), "--tracking-uri", tracking_uri
    )
    assert_refused_at_once(
        answer,
        1,
        f"error: {flag} {target}: folder {folder} does not exist; create it first or write "
        "somewhere that exists",
    )
    assert not folder.exists()
    assert not (tmp_path / "report.html").exists()


# --- The data file -------------------------------------------------------------------------
def test_prepare_refuses_a_file_that_is_not_the_data_set_before_loading_it(environment, home):
    answer = run_cli(environment, "experiment", "prepare", "--data", "/etc/passwd")
    assert_refused_at_once(
        answer,
        1,
        "error: data file /etc/passwd (given by --data) is not the data set: expected "
        "diabetic_data.csv or the zip as distributed by UCI (a .csv or .zip file)",
    )
    assert not home.exists()  # no storage folder


def test_prepare_refuses_a_csv_without_the_data_sets_columns(environment, home, tmp_path):
    table = tmp_path / "other.csv"
    table.write_text("name,city,score\nAda,London,36\n")
    answer = run_cli(environment, "experiment", "prepare", "--data", str(table))
    assert_refused_at_once(
        answer,
        1,
        f"error: data file {table} is not the data set: its header lacks 50 of the 50 columns "
        "of diabetic_data.csv (encounter_id, patient_nbr, race, ...)",
    )
    assert not home.exists()


def test_prepare_names_the_few_columns_a_zipped_table_lacks(environment, home, tmp_path):
    columns = _data_set_header().replace("race,", "").replace(",readmitted", "")
    archive = tmp_path / "dataset.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("dataset_diabetes/diabetic_data.csv", f"{columns}\r\n")
    answer = run_cli(environment, "experiment", "run", "--data", str(archive))
    assert_refused_at_once(
        answer, 1, f"error: data file {archive} is missing columns: race, readmitted"
    )
    assert not home.exists()  # neither an MLflow store nor a storage folder


def _data_set_header() -> str:
    """The UCI table's header line, written out here as the data set documents it."""
    medications = (
        "metformin,repaglinide,nateglinide,chlorpropamide,glimepiride,acetohexamide,glipizide,"
        "glyburide,tolbutamide,pioglitazone,rosiglitazone,acarbose,miglitol,troglitazone,"
        "tolazamide,examide,citoglipton,insulin,glyburide-metformin,glipizide-metformin,"
        "glimepiride-pioglitazone,metformin-rosiglitazone,metformin-pioglitazone"
    )
    return (
        "encounter_id,patient_nbr,race,gender,age,weight,admission_type_id,"
        "discharge_disposition_id,admission_source_id,time_in_hospital,payer_code,"
        "medical_specialty,num_lab_procedures,num_procedures,num_medications,number_outpatient,"
        "number_emergency,number_inpatient,diag_1,diag_2,diag_3,number_diagnoses,max_glu_serum,"
        f"A1Cresult,{medications},change,diabetesMed,readmitted"
    )


# --- Help and version ----------------------------------------------------------------------
@pytest.mark.parametrize("command", [["experiment"], ["experiment", "run"]])
def test_the_experiments_help_tells_of_the_policy_replay_and_how_to_skip_it(environment, command):
    answer = run_cli(environment, *command, "--help")
    text = " ".join(answer.stdout.split())  # argparse wraps lines
    assert answer.code == 0
    assert "replaying batches 1-5 under the other retraining policies" in text
    assert "--no-replay skips that step" in text
    assert answer.heavy == set()


def test_version_prints_the_packages_version(environment):
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    answer = run_cli(environment, "--version")
    assert (answer.code, answer.stdout, answer.stderr) == (
        0,
        f"healthpredict {project['version']}\n",
        "",
    )
    assert answer.heavy == set()

"""Big, messy MLflow stores for benchmarks and hardening tests.

A store holds the six batches a real experiment writes (0..5: baseline, two no-drift skips, a
deploy, a refresh deploy and a skip) written through `MlflowClient`, the registry with a
Production version, and optionally thousands of *other* runs the way years of Airflow left them:
HPO trials with metrics, older reruns of batches, failed and still-running runs, and runs whose
`batch_number` is noise. `BuiltStore.expected` says what a correct report shows, so a test can
check the report against the generator instead of against numbers copied from an API answer.

Writing 10,000 runs one `MlflowClient` call at a time costs ~50-100 ms each on SQLite (ORM work
per call), so the bulk runs are written differently: one *prototype* run per kind goes through
`MlflowClient`, and the copies are inserted with `sqlite3` into the same tables, row by row
mirroring the prototype's columns (schema read at run time, not hard-coded). The result is read
by real MLflow like any other store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mlflow import MlflowClient
from mlflow.entities import Metric, Param

from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.data.features import CATEGORICAL_COLUMNS, NUMERIC_COLUMNS
from tests.support.sqlite_store import empty_store_uri

logger = logging.getLogger(__name__)

XSS_TEXT = "<img src=x onerror=alert(1)>"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
FIRST_BATCH_START_MS = 1_760_000_000_000  # fixed: stores are reproducible for a given spec
NOISE_START_MS = FIRST_BATCH_START_MS + 10 * HOUR_MS  # noise is newer than every real batch
RUN_SECONDS_MS = 10 * 60_000
MANIFEST = "manifest.json"
GENERATOR_VERSION = 5  # bump when the layout changes so cached stores are rebuilt

# batch_number values that are not batches: a lax parser shows or mixes them in.
NOISE_BATCH_NUMBERS: tuple[str, ...] = (
    "abc",
    "-1",
    "-3",
    "1.5",
    "",
    " 3",
    "3 ",
    "\uff13",  # full-width 3: int() accepts it
    "\u0663",  # Arabic-Indic 3: int() accepts it
    "batch\u2460",
    "1e30",
    "99999999999999999999",
    "0x2",
    "+4",
)


@dataclass(frozen=True)
class StoreSpec:
    """What to put in a store; equal specs build equal stores (and share a cache entry)."""

    other_runs: int = 0
    production: bool = True
    malformed: bool = False
    drifted_column: str | None = None  # an extra drifted column in batch 3's artifact
    odd_decision: str | None = None  # a batch 7 whose gate run's decision tag is this text
    seed: int = 7
    evidence: bool = False  # the CONTRACT.md "Evidence" names, as this project's pipeline logs

    def key(self) -> str:
        text = json.dumps({**asdict(self), "v": GENERATOR_VERSION}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ExpectedBatch:
    """One batch as a correct report shows it."""

    batch: int
    decision: Decision | None
    prod_auc: float | None
    new_auc: float | None
    drift_share: float | None
    drifted_columns: tuple[str, ...]
    drift_run_id: str
    gate_run_id: str
    superseded_runs: int = 0
    unfinished_newer_runs: int = 0


@dataclass(frozen=True)
class BuiltStore:
    root: Path
    tracking_uri: str
    artifact_root: Path
    spec: StoreSpec
    expected: tuple[ExpectedBatch, ...]
    production_version: str | None
    run_count: int
    experiment_ids: Mapping[str, str] = field(default_factory=dict)

    def batch(self, number: int) -> ExpectedBatch:
        return next(b for b in self.expected if b.batch == number)


@dataclass(frozen=True)
class _BatchPlan:
    batch: int
    decision: Decision
    prod_auc: float
    new_auc: float | None
    drift_share: float
    n_drifted: int


# The story of a normal experiment: two quiet batches, then drift and three retrainings.
_PLAN: tuple[_BatchPlan, ...] = (
    _BatchPlan(0, Decision.BASELINE, 0.681, None, 0.0, 0),
    _BatchPlan(1, Decision.SKIP_NO_DRIFT, 0.676, None, 0.05, 2),
    _BatchPlan(2, Decision.SKIP_NO_DRIFT, 0.672, None, 0.10, 4),
    _BatchPlan(3, Decision.DEPLOY, 0.641, 0.668, 0.45, 18),
    _BatchPlan(4, Decision.DEPLOY_REFRESH, 0.660, 0.652, 0.35, 14),
    _BatchPlan(5, Decision.SKIP, 0.634, 0.587, 0.60, 24),
)
BATCHES: tuple[int, ...] = tuple(plan.batch for plan in _PLAN)
PRODUCTION_TRAINED_AT_BATCH = 4  # DEPLOY_REFRESH deployed batch 4's candidate; batch 5 skipped
ANALYSED_COLUMNS: tuple[str, ...] = (*NUMERIC_COLUMNS, *CATEGORICAL_COLUMNS)[:40]


@dataclass(frozen=True)
class BatchEvidence:
    """What an evidence store logs for one batch (CONTRACT.md "Evidence"); tests read it back."""

    initial_auc: float
    auc_half_width: float  # every AUC's 95% interval is auc +/- this
    net_auc_change: float
    net_half_width: float
    gate_half_width: float  # candidate - Production (retrain path)
    alarm_outcome: contract.AlarmOutcome
    positive_rate: float
    auc_change: contract.AucChange | None


EVIDENCE_HALF_WIDTH = 0.025
CHANCE_BAND = (0.0, 0.02, 0.05)  # drift share p50, p95, max expected by chance
CHANCE_SAMPLES = 200
# Production after each batch's decision minus the never-retrained model; the initial model's AUC.
EVIDENCE: Mapping[int, BatchEvidence] = {
    0: BatchEvidence(0.681, 0.02, 0.0, 0.0, 0.0, contract.AlarmOutcome.QUIET, 0.40, None),
    1: BatchEvidence(0.676, 0.025, 0.0, 0.0, 0.0, contract.AlarmOutcome.MISSED_ALARM, 0.42, None),
    2: BatchEvidence(0.672, 0.025, 0.0, 0.0, 0.0, contract.AlarmOutcome.QUIET, 0.45, None),
    3: BatchEvidence(
        0.641,
        0.025,
        0.027,
        0.018,
        0.017,
        contract.AlarmOutcome.DRIFT_WITH_HARM,
        0.48,
        contract.AucChange.BETTER,
    ),
    4: BatchEvidence(
        0.630,
        0.025,
        0.022,
        0.02,
        0.017,
        contract.AlarmOutcome.HARMLESS_ALARM,
        0.50,
        contract.AucChange.WITHIN_NOISE,
    ),
    5: BatchEvidence(
        0.600,
        0.025,
        0.034,
        0.03,
        0.017,
        contract.AlarmOutcome.DRIFT_WITH_HARM,
        0.52,
        contract.AucChange.WORSE,
    ),
}


def reliability_curve(shift: float) -> dict[str, object]:
    """Ten equal-width bins whose observed rate is the mean prediction plus `shift`."""
    bins = [
        {
            "mean_predicted": round(0.05 + 0.1 * i, 3),
            "observed": round(min(1.0, max(0.0, 0.05 + 0.1 * i + shift)), 3),
            "count": 60 - 5 * i,
        }
        for i in range(10)
    ]
    return {"bins": bins, "brier": round(0.2 + abs(shift), 4), "ece": round(abs(shift), 4)}


def _calibration_metrics(prefix: str, shift: float) -> dict[str, float]:
    return {
        contract.brier_metric(prefix): round(0.2 + abs(shift), 4),
        contract.ece_metric(prefix): round(abs(shift), 4),
        contract.calibration_slope_metric(prefix): round(1.0 - shift, 4),
        contract.calibration_intercept_metric(prefix): round(shift / 2, 4),
    }


def _gate_evidence(plan: _BatchPlan) -> tuple[dict[str, float], dict[str, str], dict[str, str]]:
    """Metrics, tags and artifacts the evidence-logging gate adds for one batch."""
    ev = EVIDENCE[plan.batch]
    metrics: dict[str, float] = {
        contract.initial_metric("auc"): ev.initial_auc,
        contract.EvidenceMetric.POSITIVE_RATE_TEST: ev.positive_rate,
        contract.EvidenceMetric.NET_AUC_CHANGE: ev.net_auc_change,
        contract.EvidenceMetric.NET_AUC_CHANGE_CI_LOW: ev.net_auc_change - ev.net_half_width,
        contract.EvidenceMetric.NET_AUC_CHANGE_CI_HIGH: ev.net_auc_change + ev.net_half_width,
        contract.EvidenceMetric.NET_AUC_CHANGE_P_VALUE: 1.0 if ev.net_half_width == 0 else 0.1,
        contract.EvidenceMetric.INITIAL_AUC_SHIFT: ev.initial_auc - EVIDENCE[0].initial_auc,
        contract.EvidenceMetric.INITIAL_AUC_SHIFT_CI_LOW: ev.initial_auc
        - EVIDENCE[0].initial_auc
        - 0.03,
        contract.EvidenceMetric.INITIAL_AUC_SHIFT_CI_HIGH: ev.initial_auc
        - EVIDENCE[0].initial_auc
        + 0.03,
    }
    for score, scale in zip(contract.SCORES[1:], (0.42, 0.51, 0.36), strict=True):
        metrics[contract.initial_metric(score)] = round(ev.initial_auc * scale, 4)
    scored = {contract.PROD_PREFIX: plan.prod_auc, contract.INITIAL_PREFIX: ev.initial_auc}
    artifacts = {
        contract.RELIABILITY_PRODUCTION_ARTIFACT: json.dumps(reliability_curve(0.02)),
        contract.RELIABILITY_INITIAL_ARTIFACT: json.dumps(reliability_curve(0.05)),
    }
    tags = {contract.EvidenceTag.ALARM_OUTCOME: ev.alarm_outcome.value}
    if plan.new_auc is not None:
        scored[contract.NEW_PREFIX] = plan.new_auc
        artifacts[contract.RELIABILITY_NEW_ARTIFACT] = json.dumps(reliability_curve(0.01))
        delta = round(plan.new_auc - plan.prod_auc, 4)
        metrics[contract.EvidenceMetric.AUC_IMPROVEMENT_CI_LOW] = delta - ev.gate_half_width
        metrics[contract.EvidenceMetric.AUC_IMPROVEMENT_CI_HIGH] = delta + ev.gate_half_width
        metrics[contract.EvidenceMetric.AUC_IMPROVEMENT_P_VALUE] = 0.3
        assert ev.auc_change is not None
        tags[contract.EvidenceTag.AUC_CHANGE] = ev.auc_change.value
    for index, (prefix, auc) in enumerate(scored.items()):
        metrics[contract.auc_ci_low_metric(prefix)] = auc - ev.auc_half_width
        metrics[contract.auc_ci_high_metric(prefix)] = auc + ev.auc_half_width
        metrics.update(_calibration_metrics(prefix, 0.01 * (index + 1)))
    return metrics, tags, artifacts


def _drift_evidence(plan: _BatchPlan, threshold: float) -> tuple[dict[str, float], dict[str, str]]:
    metrics = {
        contract.EvidenceMetric.DRIFT_SHARE_CHANCE_P50: CHANCE_BAND[0],
        contract.EvidenceMetric.DRIFT_SHARE_CHANCE_P95: CHANCE_BAND[1],
        contract.EvidenceMetric.DRIFT_SHARE_CHANCE_MAX: CHANCE_BAND[2],
    }
    triggered = plan.drift_share >= threshold
    tags = {
        contract.Tag.RETRAIN_TRIGGERED: str(triggered),
        contract.Tag.TRIGGER_REASON: (
            contract.TriggerReason.DRIFT if triggered else contract.TriggerReason.NONE
        ).value,
    }
    return metrics, tags


def roc_curve(auc: float, points: int = 120) -> dict[str, object]:
    """A smooth ROC curve tpr = fpr**a whose area is `auc`, as sklearn's shape with inf first."""
    exponent = 1.0 / auc - 1.0
    fpr = [i / (points - 1) for i in range(points)]
    tpr = [x**exponent for x in fpr]
    thresholds = [1.0 - x for x in fpr]
    return {"fpr": fpr, "tpr": tpr, "thresholds": [None, *thresholds[1:]], "auc": auc}


def _feature_drift(n_drifted: int, extra_drifted: str | None) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    drifted_names = list(ANALYSED_COLUMNS[:n_drifted])
    if extra_drifted is not None:
        drifted_names.append(extra_drifted)
    for name in ANALYSED_COLUMNS[n_drifted:]:
        records.append(_column_record(name, drifted=False))
    return [_column_record(name, drifted=True) for name in drifted_names] + records


def _column_record(name: str, *, drifted: bool) -> dict[str, object]:
    numeric = name in NUMERIC_COLUMNS
    return {
        "column": name,
        "kind": "numeric" if numeric else "categorical",
        "test": "ks" if numeric else "chisquare",
        "statistic": 0.31 if drifted else 0.02,
        "p_value": 0.0004 if drifted else 0.62,
        "threshold": 0.05,
        "drifted": drifted,
    }


class _Writer:
    """The few `MlflowClient` calls a run needs: create, one `log_batch`, terminate."""

    def __init__(self, client: MlflowClient, experiment_ids: Mapping[str, str]) -> None:
        self.client = client
        self.experiment_ids = experiment_ids
        self.runs_written = 0

    def run(
        self,
        experiment: str,
        run_name: str,
        *,
        start_time: int,
        status: str = "FINISHED",
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        metrics: Mapping[str, float] | None = None,
        texts: Mapping[str, str] | None = None,
    ) -> str:
        run = self.client.create_run(
            self.experiment_ids[experiment],
            start_time=start_time,
            tags=dict(tags or {}),
            run_name=run_name,
        )
        run_id = run.info.run_id
        self.client.log_batch(
            run_id,
            metrics=[Metric(k, v, start_time, 0) for k, v in (metrics or {}).items()],
            params=[Param(k, v) for k, v in (params or {}).items()],
            tags=[],
        )
        for path, text in (texts or {}).items():
            self.client.log_text(run_id, text, path)
        if status != "RUNNING":
            self.client.set_terminated(run_id, status, end_time=start_time + RUN_SECONDS_MS)
        self.runs_written += 1
        return run_id


def _gate_metrics(plan: _BatchPlan) -> dict[str, float]:
    new_auc = plan.new_auc if plan.new_auc is not None else plan.prod_auc
    metrics: dict[str, float] = {}
    for score, scale in zip(contract.SCORES, (1.0, 0.42, 0.51, 0.36), strict=True):
        metrics[contract.prod_metric(score)] = round(plan.prod_auc * scale, 4)
        metrics[contract.new_metric(score)] = round(new_auc * scale, 4)
    metrics[contract.Metric.AUC_IMPROVEMENT] = round(new_auc - plan.prod_auc, 4)
    metrics[contract.Metric.F1_IMPROVEMENT] = round((new_auc - plan.prod_auc) * 0.42, 4)
    return metrics


def _write_batches(writer: _Writer, spec: StoreSpec) -> tuple[dict[int, tuple[str, str]], str]:
    """The six real batches and their training runs; returns run ids and batch 4's training run."""
    run_ids: dict[int, tuple[str, str]] = {}
    training_runs: dict[int, str] = {}
    for plan in _PLAN:
        start = FIRST_BATCH_START_MS + plan.batch * HOUR_MS
        if plan.batch == 0 or plan.new_auc is not None:
            training_runs[plan.batch] = writer.run(
                contract.TRAINING_EXPERIMENT,
                contract.training_run_name(plan.batch),
                start_time=start - 30 * 60_000,
                params={contract.Param.BATCH_NUMBER: str(plan.batch)},
                metrics={"val_auc": plan.new_auc or plan.prod_auc},
            )
        drift_params = {
            contract.Param.BATCH_NUMBER: str(plan.batch),
            contract.Param.DRIFT_THRESHOLD: str(contract.DEFAULT_DRIFT_THRESHOLD),
        }
        texts: dict[str, str] = {}
        n_total = 0
        if plan.batch > 0:
            drift_params[contract.Param.REFERENCE_DATA] = contract.INITIAL_TRAIN_KEY
            drift_params[contract.Param.NEW_DATA] = contract.batch_data_key(plan.batch)
            extra = spec.drifted_column if plan.batch == 3 else None
            records = _feature_drift(plan.n_drifted, extra)
            n_total = len(records)
            texts[contract.FEATURE_DRIFT_ARTIFACT] = json.dumps(records)
        n_drifted = plan.n_drifted + (1 if spec.drifted_column and plan.batch == 3 else 0)
        drift_metrics = {
            contract.Metric.DRIFT_SHARE: plan.drift_share,
            contract.Metric.N_DRIFTED_COLUMNS: n_drifted,
            contract.Metric.N_TOTAL_COLUMNS: n_total,
            contract.Metric.DATASET_DRIFT: float(plan.drift_share >= contract.DATASET_DRIFT_SHARE),
        }
        drift_tags: dict[str, str] = {}
        if spec.evidence and plan.batch > 0:
            extra_metrics, drift_tags = _drift_evidence(plan, contract.DEFAULT_DRIFT_THRESHOLD)
            drift_metrics.update(extra_metrics)
            drift_params[contract.EvidenceParam.DRIFT_CHANCE_SAMPLES] = str(CHANCE_SAMPLES)
        drift_id = writer.run(
            contract.DRIFT_EXPERIMENT,
            contract.drift_run_name(plan.batch),
            start_time=start,
            params=drift_params,
            tags=drift_tags,
            metrics=drift_metrics,
            texts=texts,
        )
        gate_params = {
            contract.Param.BATCH_NUMBER: str(plan.batch),
            contract.Param.TEST_SET_USED: contract.INITIAL_TEST_SET
            if plan.batch == 0
            else contract.batch_test_set(plan.batch),
            contract.Param.MODEL_TYPE: contract.MODEL_TYPE_XGBOOST,
        }
        gate_texts = {
            contract.ROC_PRODUCTION_ARTIFACT: json.dumps(roc_curve(plan.prod_auc)),
        }
        if plan.new_auc is not None:
            gate_params[contract.Param.TRAINING_RUN_ID] = training_runs[plan.batch]
            gate_texts[contract.ROC_NEW_ARTIFACT] = json.dumps(roc_curve(plan.new_auc))
        elif plan.batch > 0:
            gate_params[contract.Param.EVALUATION_TYPE] = contract.EVALUATION_TYPE_PRODUCTION_ONLY
        gate_tags = {
            contract.Tag.QUALITY_GATE: contract.Tag.TRUE,
            contract.Tag.DECISION: plan.decision,
        }
        gate_metrics = _gate_metrics(plan)
        if spec.evidence:
            extra_metrics, extra_tags, extra_texts = _gate_evidence(plan)
            gate_metrics.update(extra_metrics)
            gate_tags.update(extra_tags)
            gate_texts.update(extra_texts)
            gate_params[contract.EvidenceParam.INITIAL_MODEL_VERSION] = "1"
        gate_id = writer.run(
            contract.TRAINING_EXPERIMENT,
            contract.quality_gate_run_name(plan.batch),
            start_time=start + 20 * 60_000,
            params=gate_params,
            tags=gate_tags,
            metrics=gate_metrics,
            texts=gate_texts,
        )
        run_ids[plan.batch] = (drift_id, gate_id)
    return run_ids, training_runs[PRODUCTION_TRAINED_AT_BATCH]


def _write_registry(client: MlflowClient, training_runs: Sequence[str]) -> str:
    """One version per deployed model; the last gets alias `production` and stage Production."""
    client.create_registered_model(contract.MODEL_NAME)
    version = ""
    for run_id in training_runs:
        version = str(
            client.create_model_version(
                contract.MODEL_NAME,
                source=f"runs:/{run_id}/{contract.MODEL_ARTIFACT_PATH}",
                run_id=run_id,
            ).version
        )
    for older in range(1, int(version)):
        client.transition_model_version_stage(
            contract.MODEL_NAME, str(older), contract.ARCHIVED_STAGE
        )
    client.transition_model_version_stage(contract.MODEL_NAME, version, contract.PRODUCTION_STAGE)
    client.set_registered_model_alias(contract.MODEL_NAME, contract.PRODUCTION_ALIAS, version)
    return version


@dataclass
class _Clone:
    """One copy of a prototype run with its own name, times, status and values."""

    prototype: str
    run_name: str
    start_time: int
    status: str
    params: dict[str, str]
    metrics: dict[str, float]


@dataclass
class _Tally:
    superseded: dict[int, int] = field(default_factory=dict)
    unfinished_newer: dict[int, int] = field(default_factory=dict)

    def add(self, batch: int, *, unfinished_newer: bool) -> None:
        self.superseded[batch] = self.superseded.get(batch, 0) + 1
        if unfinished_newer:
            self.unfinished_newer[batch] = self.unfinished_newer.get(batch, 0) + 1


def _plan_other_runs(
    count: int, rng: random.Random, prototypes: Mapping[str, str]
) -> tuple[list[_Clone], _Tally]:
    """Split `count` into trials (70%), older reruns (15%), failed (6%), running (3%), noise."""
    tally = _Tally()
    clones: list[_Clone] = []
    kinds = ["trial"] * 70 + ["rerun"] * 15 + ["failed"] * 6 + ["running"] * 3 + ["noise"] * 6
    oldest = FIRST_BATCH_START_MS - 400 * DAY_MS
    for index in range(count):
        kind = kinds[index % len(kinds)]
        batch = rng.choice(BATCHES)
        gate_start = FIRST_BATCH_START_MS + batch * HOUR_MS + 20 * 60_000
        if kind == "trial":
            clones.append(
                _Clone(
                    prototypes["trial"],
                    f"hpo_trial_{index}",
                    rng.randrange(oldest, FIRST_BATCH_START_MS + 6 * HOUR_MS),
                    "FINISHED",
                    {
                        contract.Param.BATCH_NUMBER: str(batch),
                        "max_depth": str(rng.randint(3, 10)),
                        "learning_rate": f"{rng.uniform(0.01, 0.3):.4f}",
                        "n_estimators": str(rng.randrange(50, 500, 50)),
                        "subsample": f"{rng.uniform(0.5, 1.0):.3f}",
                    },
                    _random_scores(rng, "val"),
                )
            )
            continue
        in_drift = rng.random() < 0.5
        prototype = prototypes["drift" if in_drift else "gate"]
        name = (contract.drift_run_name if in_drift else contract.quality_gate_run_name)(batch)
        metrics = (
            {contract.Metric.DRIFT_SHARE: rng.random()}
            if in_drift
            else {
                contract.new_metric("auc"): rng.uniform(0.55, 0.7),
                contract.prod_metric("auc"): rng.uniform(0.55, 0.7),
            }
        )
        params = {contract.Param.BATCH_NUMBER: str(batch)}
        if kind == "noise":
            params[contract.Param.BATCH_NUMBER] = NOISE_BATCH_NUMBERS[
                index % len(NOISE_BATCH_NUMBERS)
            ]
            clones.append(
                _Clone(prototype, name, NOISE_START_MS + index, "FINISHED", params, metrics)
            )
            continue
        if kind == "rerun":
            start = rng.randrange(oldest, FIRST_BATCH_START_MS - HOUR_MS)
            status = "FINISHED"
        else:
            status = "FAILED" if kind == "failed" else "RUNNING"
            newer = rng.random() < 0.5
            start = (
                gate_start + rng.randrange(60_000, 30 * 60_000)
                if newer
                else rng.randrange(oldest, FIRST_BATCH_START_MS - HOUR_MS)
            )
        clones.append(_Clone(prototype, name, start, status, params, metrics))
        tally.add(batch, unfinished_newer=status != "FINISHED" and start > gate_start)
    return clones, tally


def _random_scores(rng: random.Random, prefix: str) -> dict[str, float]:
    auc = rng.uniform(0.55, 0.7)
    return {
        f"{prefix}_auc": auc,
        f"{prefix}_f1": auc * 0.4,
        f"{prefix}_precision": auc * 0.5,
        f"{prefix}_recall": auc * 0.35,
        f"{prefix}_logloss": rng.uniform(0.3, 0.7),
    }


def _write_prototypes(writer: _Writer) -> dict[str, str]:
    """One run per kind of copy, written by MLflow itself: the copies mirror its rows."""
    start = FIRST_BATCH_START_MS - 500 * DAY_MS
    return {
        "trial": writer.run(
            contract.TRAINING_EXPERIMENT,
            "hpo_trial_prototype",
            start_time=start,
            params={contract.Param.BATCH_NUMBER: "0", "max_depth": "3"},
            tags={contract.Tag.HPO_TRIAL: contract.Tag.TRUE},
            metrics={"val_auc": 0.6},
        ),
        "drift": writer.run(
            contract.DRIFT_EXPERIMENT,
            contract.drift_run_name(0),
            start_time=start,
            params={contract.Param.BATCH_NUMBER: "0"},
            metrics={contract.Metric.DRIFT_SHARE: 0.0},
        ),
        "gate": writer.run(
            contract.TRAINING_EXPERIMENT,
            contract.quality_gate_run_name(0),
            start_time=start,
            params={contract.Param.BATCH_NUMBER: "0"},
            tags={
                contract.Tag.QUALITY_GATE: contract.Tag.TRUE,
                contract.Tag.DECISION: Decision.BASELINE,
            },
            metrics={contract.new_metric("auc"): 0.6},
        ),
    }


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _insert_clones(db: Path, clones: Iterable[_Clone]) -> int:
    """Insert copies of prototype runs with sqlite3, mirroring each prototype's own rows."""
    conn = sqlite3.connect(db)
    try:
        run_columns = _columns(conn, "runs")
        proto_rows: dict[str, dict[str, object]] = {}
        proto_tags: dict[str, list[tuple[str, str]]] = {}
        metric_columns = _columns(conn, "metrics")
        latest_columns = _columns(conn, "latest_metrics")
        runs: list[tuple[object, ...]] = []
        metrics: list[tuple[object, ...]] = []
        latest: list[tuple[object, ...]] = []
        params: list[tuple[str, str, str]] = []
        tags: list[tuple[str, str, str]] = []
        count = 0
        for clone in clones:
            if clone.prototype not in proto_rows:
                row = conn.execute(
                    f"SELECT {', '.join(run_columns)} FROM runs WHERE run_uuid = ?",
                    (clone.prototype,),
                ).fetchone()
                proto_rows[clone.prototype] = dict(zip(run_columns, row, strict=True))
                proto_tags[clone.prototype] = conn.execute(
                    "SELECT key, value FROM tags WHERE run_uuid = ? AND key != 'mlflow.runName'",
                    (clone.prototype,),
                ).fetchall()
            proto = proto_rows[clone.prototype]
            run_id = uuid.uuid4().hex
            run = dict(proto)
            run.update(
                run_uuid=run_id,
                name=clone.run_name,
                status=clone.status,
                start_time=clone.start_time,
                end_time=None if clone.status == "RUNNING" else clone.start_time + RUN_SECONDS_MS,
                artifact_uri=str(proto["artifact_uri"]).replace(clone.prototype, run_id),
            )
            runs.append(tuple(run[c] for c in run_columns))
            tags.append(("mlflow.runName", clone.run_name, run_id))
            tags.extend((key, value, run_id) for key, value in proto_tags[clone.prototype])
            params.extend((key, value, run_id) for key, value in clone.params.items())
            for key, value in clone.metrics.items():
                values = {
                    "key": key,
                    "value": value,
                    "timestamp": clone.start_time,
                    "run_uuid": run_id,
                    "step": 0,
                    "is_nan": math.isnan(value),
                }
                metrics.append(tuple(values[c] for c in metric_columns))
                latest.append(tuple(values[c] for c in latest_columns))
            count += 1
        with conn:
            conn.executemany(
                f"INSERT INTO runs ({', '.join(run_columns)}) "
                f"VALUES ({', '.join('?' for _ in run_columns)})",
                runs,
            )
            conn.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)", tags)
            conn.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)", params)
            conn.executemany(
                f"INSERT INTO metrics ({', '.join(metric_columns)}) "
                f"VALUES ({', '.join('?' for _ in metric_columns)})",
                metrics,
            )
            conn.executemany(
                f"INSERT INTO latest_metrics ({', '.join(latest_columns)}) "
                f"VALUES ({', '.join('?' for _ in latest_columns)})",
                latest,
            )
        return count
    finally:
        conn.close()


def _delete_runs(client: MlflowClient, run_ids: Iterable[str]) -> None:
    for run_id in run_ids:
        client.delete_run(run_id)


def _write_malformed(writer: _Writer, run_ids: Mapping[int, tuple[str, str]]) -> None:
    """Noise a lax reader trips over, all newer than the real batches, plus broken artifacts.

    The real batches' artifacts are replaced in place: batch 1's production ROC is not JSON,
    batch 3's ROC files hold `Infinity`/`NaN` (as old writers left them), batch 4's
    feature_drift.json is an object instead of a list.
    """
    for offset, raw in enumerate(NOISE_BATCH_NUMBERS):
        start = NOISE_START_MS + offset * 60_000
        writer.run(
            contract.DRIFT_EXPERIMENT,
            f"drift_batch_{raw}",
            start_time=start,
            params={contract.Param.BATCH_NUMBER: raw},
            metrics={contract.Metric.DRIFT_SHARE: 0.99},
            texts={contract.FEATURE_DRIFT_ARTIFACT: "[]"},
        )
        writer.run(
            contract.TRAINING_EXPERIMENT,
            f"quality_gate_batch_{raw}",
            start_time=start,
            params={contract.Param.BATCH_NUMBER: raw},
            tags={contract.Tag.QUALITY_GATE: contract.Tag.TRUE, contract.Tag.DECISION: "DEPLOY"},
            metrics={contract.new_metric("auc"): 0.99, contract.prod_metric("auc"): 0.5},
        )
    client = writer.client
    client.log_text(run_ids[1][1], "<html>this is not JSON", contract.ROC_PRODUCTION_ARTIFACT)
    non_strict = (
        '{"fpr": [0.0, 0.5, NaN, 1.0], "tpr": [0.0, 0.7, 0.8, 1.0], '
        '"thresholds": [Infinity, 0.6, 0.4, -Infinity], "auc": NaN}'
    )
    client.log_text(run_ids[3][1], non_strict, contract.ROC_PRODUCTION_ARTIFACT)
    client.log_text(run_ids[3][1], non_strict.replace("0.7", "Infinity"), contract.ROC_NEW_ARTIFACT)
    not_a_list = '{"column": "age", "drifted": true}'
    client.log_text(run_ids[4][0], not_a_list, contract.FEATURE_DRIFT_ARTIFACT)
    # Metrics MLflow stores but JSON cannot carry: the API must answer null, not NaN.
    client.log_batch(
        run_ids[2][1],
        metrics=[
            Metric(contract.new_metric("f1"), float("nan"), FIRST_BATCH_START_MS, 1),
            Metric(contract.prod_metric("f1"), float("nan"), FIRST_BATCH_START_MS, 1),
            Metric(contract.Metric.F1_IMPROVEMENT, float("inf"), FIRST_BATCH_START_MS, 1),
        ],
    )


ODD_DECISION_BATCH = 7


def _write_odd_decision_batch(writer: _Writer, decision: str) -> tuple[str, str]:
    start = FIRST_BATCH_START_MS + ODD_DECISION_BATCH * HOUR_MS
    drift_id = writer.run(
        contract.DRIFT_EXPERIMENT,
        contract.drift_run_name(ODD_DECISION_BATCH),
        start_time=start,
        params={contract.Param.BATCH_NUMBER: str(ODD_DECISION_BATCH)},
        metrics={contract.Metric.DRIFT_SHARE: 0.1},
    )
    gate_id = writer.run(
        contract.TRAINING_EXPERIMENT,
        contract.quality_gate_run_name(ODD_DECISION_BATCH),
        start_time=start + 60_000,
        params={contract.Param.BATCH_NUMBER: str(ODD_DECISION_BATCH)},
        tags={contract.Tag.QUALITY_GATE: contract.Tag.TRUE, contract.Tag.DECISION: decision},
        metrics={contract.prod_metric("auc"): 0.6, contract.new_metric("auc"): 0.6},
    )
    return drift_id, gate_id


MALFORMED_NAN_BATCH = 2  # its gate run's f1 metrics are NaN/inf: the API must answer null
MISSING_METRICS_BATCH = 6  # a batch whose runs carry no metrics at all


def _write_missing_metrics_batch(writer: _Writer) -> tuple[str, str]:
    start = FIRST_BATCH_START_MS + MISSING_METRICS_BATCH * HOUR_MS
    drift_id = writer.run(
        contract.DRIFT_EXPERIMENT,
        contract.drift_run_name(MISSING_METRICS_BATCH),
        start_time=start,
        params={contract.Param.BATCH_NUMBER: str(MISSING_METRICS_BATCH)},
    )
    gate_id = writer.run(
        contract.TRAINING_EXPERIMENT,
        contract.quality_gate_run_name(MISSING_METRICS_BATCH),
        start_time=start + 60_000,
        params={contract.Param.BATCH_NUMBER: str(MISSING_METRICS_BATCH)},
        tags={
            contract.Tag.QUALITY_GATE: contract.Tag.TRUE,
            contract.Tag.DECISION: Decision.SKIP_NO_DRIFT,
        },
    )
    return drift_id, gate_id


def _extra_decision(batch: int) -> Decision | None:
    return Decision.SKIP_NO_DRIFT if batch == MISSING_METRICS_BATCH else None


def _extra_prod_auc(batch: int) -> float | None:
    return 0.6 if batch == ODD_DECISION_BATCH else None


def build_store(root: Path, spec: StoreSpec) -> BuiltStore:
    """Write a new store into `root` (which must not hold one yet)."""
    root.mkdir(parents=True, exist_ok=True)
    db = root / "mlflow.db"
    if db.exists():
        raise FileExistsError(f"{db} already holds a store")
    tracking_uri = empty_store_uri(root, db.name)  # a copy of the session's migrated template
    artifact_root = root / "artifacts"
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    experiment_ids = {
        name: client.create_experiment(name, artifact_location=(artifact_root / name).as_uri())
        for name in (contract.DRIFT_EXPERIMENT, contract.TRAINING_EXPERIMENT)
    }
    writer = _Writer(client, experiment_ids)
    run_ids, production_training_run = _write_batches(writer, spec)
    production_version = None
    if spec.production:
        trained = [
            run.info.run_id
            for batch in (0, 3, PRODUCTION_TRAINED_AT_BATCH)
            for run in client.search_runs(
                [experiment_ids[contract.TRAINING_EXPERIMENT]],
                f"attributes.run_name = '{contract.training_run_name(batch)}'",
            )
        ]
        production_version = _write_registry(client, trained)
        if trained[-1] != production_training_run:
            raise RuntimeError("registry order does not match the batch plan")
    if spec.malformed:
        _write_malformed(writer, run_ids)
        run_ids[MISSING_METRICS_BATCH] = _write_missing_metrics_batch(writer)
    if spec.odd_decision is not None:
        run_ids[ODD_DECISION_BATCH] = _write_odd_decision_batch(writer, spec.odd_decision)
    tally = _Tally()
    copied = 0
    if spec.other_runs:
        prototypes = _write_prototypes(writer)
        clones, tally = _plan_other_runs(spec.other_runs, random.Random(spec.seed), prototypes)
        copied = _insert_clones(db, clones)
        _delete_runs(client, prototypes.values())
    expected = []
    for batch, (drift_id, gate_id) in sorted(run_ids.items()):
        plan = next((p for p in _PLAN if p.batch == batch), None)
        drifted: tuple[str, ...] = ()
        if plan is not None:
            drifted = ANALYSED_COLUMNS[: plan.n_drifted]
            if spec.drifted_column and batch == 3:
                drifted = (*drifted, spec.drifted_column)
        expected.append(
            ExpectedBatch(
                batch=batch,
                decision=plan.decision if plan else _extra_decision(batch),
                prod_auc=plan.prod_auc if plan else _extra_prod_auc(batch),
                new_auc=plan.new_auc if plan else None,
                drift_share=plan.drift_share if plan else None,
                drifted_columns=drifted,
                drift_run_id=drift_id,
                gate_run_id=gate_id,
                superseded_runs=tally.superseded.get(batch, 0),
                unfinished_newer_runs=tally.unfinished_newer.get(batch, 0),
            )
        )
    built = BuiltStore(
        root=root,
        tracking_uri=tracking_uri,
        artifact_root=artifact_root,
        spec=spec,
        expected=tuple(expected),
        production_version=production_version,
        run_count=writer.runs_written - (3 if spec.other_runs else 0) + copied,
        experiment_ids=experiment_ids,
    )
    _write_manifest(built)
    return built


def _write_manifest(store: BuiltStore) -> None:
    data = {
        "spec": asdict(store.spec),
        "generator_version": GENERATOR_VERSION,
        "production_version": store.production_version,
        "run_count": store.run_count,
        "experiment_ids": dict(store.experiment_ids),
        "expected": [
            {**asdict(b), "decision": b.decision.value if b.decision else None}
            for b in store.expected
        ],
    }
    (store.root / MANIFEST).write_text(json.dumps(data, indent=1), encoding="utf-8")


def load_store(root: Path) -> BuiltStore:
    """A store `build_store` wrote earlier, from its manifest."""
    data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    expected = tuple(
        ExpectedBatch(
            **{
                **b,
                "decision": Decision(b["decision"]) if b["decision"] else None,
                "drifted_columns": tuple(b["drifted_columns"]),
            }
        )
        for b in data["expected"]
    )
    return BuiltStore(
        root=root,
        tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
        artifact_root=root / "artifacts",
        spec=StoreSpec(**data["spec"]),
        expected=expected,
        production_version=data["production_version"],
        run_count=data["run_count"],
        experiment_ids=data["experiment_ids"],
    )


def cached_store(cache_root: Path, spec: StoreSpec) -> BuiltStore:
    """The store for `spec` under `cache_root/<key>`, built once (reruns reuse it).

    A store is only reused when its manifest exists (written last), so an interrupted build is
    rebuilt. Benchmarks only read cached stores: tests that write must copy them first.
    """
    root = cache_root / spec.key()
    if (root / MANIFEST).exists():
        return load_store(root)
    if root.exists():
        shutil.rmtree(root)
    staging = cache_root / f"{spec.key()}.building-{uuid.uuid4().hex[:8]}"
    build_store(staging, spec)
    staging.rename(root)
    # Artifact locations are absolute: rewrite them from the staging folder to the final one.
    _relocate(root, staging)
    return load_store(root)


def _relocate(root: Path, old_root: Path) -> None:
    conn = sqlite3.connect(root / "mlflow.db")
    old, new = old_root.as_uri(), root.as_uri()
    try:
        with conn:
            conn.execute(
                "UPDATE experiments SET artifact_location = replace(artifact_location, ?, ?)",
                (old, new),
            )
            conn.execute("UPDATE runs SET artifact_uri = replace(artifact_uri, ?, ?)", (old, new))
            conn.execute("UPDATE model_versions SET source = replace(source, ?, ?)", (old, new))
            conn.execute(
                "UPDATE model_versions SET storage_location = replace(storage_location, ?, ?)",
                (old, new),
            )
    finally:
        conn.close()


def copy_store(store: BuiltStore, destination: Path) -> BuiltStore:
    """A private, writable copy of a store (artifact locations rewritten to the copy)."""
    shutil.copytree(store.root, destination)
    _relocate(destination, store.root)
    return load_store(destination)


__all__ = [
    "BATCHES",
    "CHANCE_BAND",
    "CHANCE_SAMPLES",
    "EVIDENCE",
    "MALFORMED_NAN_BATCH",
    "MISSING_METRICS_BATCH",
    "NOISE_BATCH_NUMBERS",
    "ODD_DECISION_BATCH",
    "XSS_TEXT",
    "BatchEvidence",
    "BuiltStore",
    "ExpectedBatch",
    "StoreSpec",
    "build_store",
    "cached_store",
    "copy_store",
    "load_store",
    "reliability_curve",
    "roc_curve",
]

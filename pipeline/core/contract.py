"""The MLflow contract: every name the pipeline writes and the report reads.

These names are a public interface (see CONTRACT.md in the shared folder and the README): a store
written by the original Airflow pipeline uses the same names and must read the same way. No other
module spells them; import them from here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# --- Registry -------------------------------------------------------------------------------
MODEL_NAME: Final = "HealthPredictModel"
# The Airflow DAG (dags/); the report links a run's `airflow_dag_run_id` to its page in the UI.
AIRFLOW_DAG_ID: Final = "health_predict_continuous_improvement"
PRODUCTION_ALIAS: Final = "production"  # alias look-ups are case-sensitive
PRODUCTION_STAGE: Final = "Production"  # legacy stage; matched case-insensitively
ARCHIVED_STAGE: Final = "Archived"
MODEL_TYPE_XGBOOST: Final = "XGBoost"


def model_version_uri(version: int | str) -> str:
    """Always address a version explicitly: a bare ``models:/NAME`` fails on MLflow 3."""
    return f"models:/{MODEL_NAME}/{version}"


# --- Experiments ----------------------------------------------------------------------------
DRIFT_EXPERIMENT: Final = "HealthPredict_Drift_Monitoring"
TRAINING_EXPERIMENT: Final = "HealthPredict_Training_HPO_Airflow"
POLICY_REPLAY_EXPERIMENT: Final = "HealthPredict_Policy_Replay"


def drift_run_name(batch: int) -> str:
    return f"drift_batch_{batch}"


def quality_gate_run_name(batch: int) -> str:
    return f"quality_gate_batch_{batch}"


def replay_run_name(trigger: str, training_policy: str) -> str:
    """One run per replayed policy: ``replay_{trigger}_{training_policy}``."""
    return f"replay_{trigger}_{training_policy}"


def training_run_name(batch: int) -> str:
    return "initial_training" if batch == 0 else f"training_batch_{batch}"


def hpo_trial_run_name(number: int) -> str:
    """A training run's child run for one hyper-parameter trial (tagged ``hpo_trial``)."""
    return f"hpo_trial_{number}"


class Param:
    BATCH_NUMBER: Final = "batch_number"
    REFERENCE_DATA: Final = "reference_data"
    NEW_DATA: Final = "new_data"
    DRIFT_THRESHOLD: Final = "drift_threshold"
    TEST_SET_USED: Final = "test_set_used"
    MODEL_TYPE: Final = "model_type"
    TRAINING_RUN_ID: Final = "training_run_id"
    EVALUATION_TYPE: Final = "evaluation_type"
    MODEL_VERSION: Final = "model_version"
    DATA_SHA256: Final = "data_sha256"
    SEED: Final = "seed"
    # The version that was Production when the gate scored it (``model_version`` is the one after).
    PRODUCTION_MODEL_VERSION: Final = "production_model_version"
    # On each drift run N >= 1: which batch profile built the batch, and how, in words.
    BATCH_PROFILE: Final = "batch_profile"
    BATCH_DESCRIPTION: Final = "batch_description"
    # Policy replay runs (and the training policy of a training run).
    TRIGGER: Final = "trigger"
    TRAINING_POLICY: Final = "training_policy"
    VALIDATION_DATA: Final = "validation_data"
    FIXED_HYPERPARAMETERS: Final = "fixed_hyperparameters"
    NEWEST_BATCH_WEIGHT: Final = "newest_batch_weight"
    # Extension (docs/policies.md): the replay's gate, `standard` or `above_chance`.
    REPLAY_GATE: Final = "replay_gate"


class TrainingParam:
    """Only training runs and their trial child runs carry these (the report does not read them)."""

    TRIAL_NUMBER: Final = "trial_number"
    N_TRAIN_ROWS: Final = "n_train_rows"
    N_VALIDATION_ROWS: Final = "n_validation_rows"
    N_TRIALS: Final = "n_trials"
    REFIT: Final = "refit_on_validation"
    BEST_PREFIX: Final = "best_"  # best_<hyper-parameter>: the search's best trial


class TrainingMetric:
    VALIDATION_AUC: Final = "validation_auc"
    BEST_ITERATION: Final = "best_iteration"


class Tag:
    QUALITY_GATE: Final = "quality_gate"
    DECISION: Final = "decision"
    HPO_TRIAL: Final = "hpo_trial"
    # Shared by the two runs of one baseline capture, so a half-logged pair is detectable.
    CAPTURE_ID: Final = "capture_id"
    # On each drift run N >= 1: the pipeline's retrain verdict and why (see TriggerReason).
    RETRAIN_TRIGGERED: Final = "retrain_triggered"
    TRIGGER_REASON: Final = "trigger_reason"
    # Set when a newer run of the same step marked this RUNNING run KILLED: says why.
    KILLED_REASON: Final = "killed_reason"
    # Shared by all runs of one policy replay; `configured` marks the policy the pipeline ran.
    REPLAY_ID: Final = "replay_id"
    CONFIGURED: Final = "configured"
    # On every result run written by an Airflow task: the DAG run that wrote it.
    AIRFLOW_DAG_RUN_ID: Final = "airflow_dag_run_id"
    TRUE: Final = "True"
    FALSE: Final = "False"


class TriggerReason(StrEnum):
    """Why a batch was (not) retrained: drift at or above the threshold wins over a forced run."""

    DRIFT = "drift"
    FORCED = "forced"
    NONE = "none"


class Metric:
    DRIFT_SHARE: Final = "drift_share"
    N_DRIFTED_COLUMNS: Final = "n_drifted_columns"
    N_TOTAL_COLUMNS: Final = "n_total_columns"
    DATASET_DRIFT: Final = "dataset_drift"
    AUC_IMPROVEMENT: Final = "auc_improvement"
    F1_IMPROVEMENT: Final = "f1_improvement"


class ReplayMetric:
    """Policy replay: per batch (``step`` = batch) and per policy."""

    AUC_TEST: Final = "auc_test"
    AUC_CI_LOW: Final = "auc_ci_low"
    AUC_CI_HIGH: Final = "auc_ci_high"
    RETRAINED: Final = "retrained"
    DEPLOYED: Final = "deployed"
    N_RETRAINS: Final = "n_retrains"
    N_DEPLOYS: Final = "n_deploys"
    MEAN_AUC: Final = "mean_auc"
    WORST_AUC: Final = "worst_auc"
    TRAINING_SECONDS: Final = "training_seconds"
    # Forward in time (step = N, 0..4): the model in Production after batch N (N = 0: the
    # initial model) on batch N+1's test split, and its paired difference to the configured
    # policy's model on the same rows (0 on the configured run).
    AUC_NEXT: Final = "auc_next"
    AUC_NEXT_CI_LOW: Final = "auc_next_ci_low"
    AUC_NEXT_CI_HIGH: Final = "auc_next_ci_high"
    DELTA_NEXT: Final = "delta_next_vs_configured"
    DELTA_NEXT_CI_LOW: Final = "delta_next_vs_configured_ci_low"
    DELTA_NEXT_CI_HIGH: Final = "delta_next_vs_configured_ci_high"
    CALIBRATION_SLOPE_NEXT: Final = "calibration_slope_next"
    MEAN_AUC_NEXT: Final = "mean_auc_next"
    MEAN_DELTA_NEXT: Final = "mean_delta_next_vs_configured"
    MEAN_DELTA_NEXT_CI_LOW: Final = "mean_delta_next_vs_configured_ci_low"
    MEAN_DELTA_NEXT_CI_HIGH: Final = "mean_delta_next_vs_configured_ci_high"


REPLAY_GATE_STANDARD: Final = "standard"
REPLAY_GATE_ABOVE_CHANCE: Final = "above_chance"  # never deploy a candidate whose interval < 0.5
REPLAY_GATE_STRICT: Final = "strict"  # the strict gate rule (GATE_RULE_STRICT), in the replay

# --- Gate rules (CONTRACT.md "Evidence, second part") -----------------------------------------
GATE_RULE_STANDARD: Final = "standard"  # the decisions above: the original pipeline's, the default
GATE_RULE_STRICT: Final = "strict"  # deploy only when non-inferior on the interval and above 0.5
GATE_RULES: Final = (GATE_RULE_STANDARD, GATE_RULE_STRICT)
NON_INFERIORITY_MARGIN: Final = 0.02
CHANCE_AUC: Final = 0.5  # the AUC of a model that ranks at random


class NonInferiority(StrEnum):
    """The candidate against Production with the margin on the interval of new - prod."""

    NON_INFERIOR = "non_inferior"  # ci_low >= -margin
    INFERIOR = "inferior"  # ci_high < -margin
    INCONCLUSIVE = "inconclusive"


# The four model-quality scores, in display order. F1, precision and recall use the 0.5 cut-off.
SCORES: Final = ("auc", "f1", "precision", "recall")
PROBABILITY_CUTOFF: Final = 0.5


def new_metric(score: str) -> str:
    """``new_auc_test`` etc.: the candidate model on the batch's test set."""
    return f"new_{score}_test"


def prod_metric(score: str) -> str:
    """``prod_auc_test`` etc.: the Production model on the same test set."""
    return f"prod_{score}_test"


# The quality-gate query: HPO trial runs never carry this metric.
QUALITY_GATE_FILTER: Final = f"metrics.{new_metric('auc')} > 0"

EVALUATION_TYPE_PRODUCTION_ONLY: Final = "production_only"
INITIAL_TEST_SET: Final = "initial_test"


def batch_test_set(batch: int) -> str:
    return f"batch_{batch}_test"


class Decision(StrEnum):
    BASELINE = "BASELINE"
    SKIP_NO_DRIFT = "SKIP_NO_DRIFT"
    DEPLOY = "DEPLOY"
    DEPLOY_REFRESH = "DEPLOY_REFRESH"
    SKIP = "SKIP"


RETRAINED_DECISIONS: Final = frozenset({Decision.DEPLOY, Decision.DEPLOY_REFRESH, Decision.SKIP})
DEPLOYED_DECISIONS: Final = frozenset({Decision.DEPLOY, Decision.DEPLOY_REFRESH})

# --- Thresholds -----------------------------------------------------------------------------
DEFAULT_DRIFT_THRESHOLD: Final = 0.30  # drift share at or above which retraining is triggered
DATASET_DRIFT_SHARE: Final = 0.5  # drift share at or above which the whole data set drifted
AUC_REGRESSION_TOLERANCE: Final = -0.02  # smallest auc_improvement still deployed (refresh)

# --- Artifacts ------------------------------------------------------------------------------
FEATURE_DRIFT_ARTIFACT: Final = "drift/feature_drift.json"
# The fields of each record in FEATURE_DRIFT_ARTIFACT (p_value and statistic may be null).
FEATURE_DRIFT_FIELDS: Final = (
    "column",
    "kind",
    "test",
    "statistic",
    "p_value",
    "threshold",
    "drifted",
)
ROC_DIR: Final = "roc_curves"
ROC_PRODUCTION_FILE: Final = "roc_curve_production.json"
ROC_NEW_FILE: Final = "roc_curve_new.json"
ROC_PRODUCTION_ARTIFACT: Final = f"{ROC_DIR}/{ROC_PRODUCTION_FILE}"
ROC_NEW_ARTIFACT: Final = f"{ROC_DIR}/{ROC_NEW_FILE}"
MODEL_ARTIFACT_PATH: Final = "model"
PREPROCESSOR_DIR: Final = "preprocessor"
PREPROCESSOR_FILE: Final = "preprocessor.joblib"
PREPROCESSOR_ARTIFACT: Final = f"{PREPROCESSOR_DIR}/{PREPROCESSOR_FILE}"

# --- Storage layout (a local folder or s3://bucket[/prefix]) --------------------------------
INITIAL_TRAIN_KEY: Final = "processed_data/initial_train.csv"
INITIAL_VALIDATION_KEY: Final = "processed_data/initial_validation.csv"
INITIAL_TEST_KEY: Final = "processed_data/initial_test.csv"
FUTURE_DATA_KEY: Final = "processed_data/future_data.csv"
# What `prepare` stored (seed, data sha256, batches); written last (pipeline.data.manifest).
MANIFEST_KEY: Final = "drift_monitoring/manifest.csv"


def batch_data_key(batch: int) -> str:
    return f"drift_monitoring/batch_data/batch_{batch}.csv"


def batch_test_key(batch: int) -> str:
    return f"drift_monitoring/test_data/batch_{batch}_test.csv"


def cumulative_data_key(batch: int) -> str:
    return f"drift_monitoring/cumulative_data/cumulative_through_batch_{batch}.csv"


# --- Evidence (CONTRACT.md "Evidence"; written by this project, optional for readers) --------
# A store written by the original pipeline has none of these: readers show them as null.
class EvidenceParam:
    INITIAL_MODEL_VERSION: Final = "initial_model_version"  # gate run: the never-retrained model
    DRIFT_NULL_SAMPLES: Final = "drift_null_samples"  # drift run (older): the later-period draws
    DRIFT_CHANCE_SAMPLES: Final = "drift_chance_samples"  # drift run: draws of the chance band
    GATE_RULE: Final = "gate_rule"  # gate run, retrain path: standard or strict
    ESTIMATION_METHOD: Final = "estimation_method"  # gate run: cbpe_isotonic
    NON_INFERIORITY_MARGIN: Final = "non_inferiority_margin"  # gate run, retrain path


class EvidenceTag:
    # retrain_triggered / trigger_reason (drift run): Tag.RETRAIN_TRIGGERED, Tag.TRIGGER_REASON
    AUC_CHANGE: Final = "auc_change"  # gate run, retrain path
    NON_INFERIORITY: Final = "non_inferiority"  # gate run, retrain path with a Production
    ALARM_OUTCOME: Final = "alarm_outcome"  # gate run


class EvidenceMetric:
    # held-out rows of the reference period (later in time): drift one period later, not chance
    DRIFT_SHARE_NULL_P50: Final = "drift_share_null_p50"
    DRIFT_SHARE_NULL_P95: Final = "drift_share_null_p95"
    # samples of initial_train against the rest of it: drift expected by chance
    DRIFT_SHARE_CHANCE_P50: Final = "drift_share_chance_p50"
    DRIFT_SHARE_CHANCE_P95: Final = "drift_share_chance_p95"
    DRIFT_SHARE_CHANCE_MAX: Final = "drift_share_chance_max"
    TEST_PATIENT_OVERLAP: Final = "test_patient_overlap"  # gate run: 0 by design
    # gate run: the smallest drop of the initial model's AUC this comparison detects (80% power)
    INITIAL_AUC_SHIFT_DETECTABLE: Final = "initial_auc_shift_detectable"
    AUC_IMPROVEMENT_CI_LOW: Final = "auc_improvement_ci_low"
    AUC_IMPROVEMENT_CI_HIGH: Final = "auc_improvement_ci_high"
    AUC_IMPROVEMENT_P_VALUE: Final = "auc_improvement_p_value"
    NET_AUC_CHANGE: Final = "net_auc_change"
    NET_AUC_CHANGE_CI_LOW: Final = "net_auc_change_ci_low"
    NET_AUC_CHANGE_CI_HIGH: Final = "net_auc_change_ci_high"
    NET_AUC_CHANGE_P_VALUE: Final = "net_auc_change_p_value"
    INITIAL_AUC_SHIFT: Final = "initial_auc_shift"
    INITIAL_AUC_SHIFT_CI_LOW: Final = "initial_auc_shift_ci_low"
    INITIAL_AUC_SHIFT_CI_HIGH: Final = "initial_auc_shift_ci_high"
    POSITIVE_RATE_TEST: Final = "positive_rate_test"


class AucChange(StrEnum):
    """New minus Production: its 95% interval against 0."""

    BETTER = "better"
    WORSE = "worse"
    WITHIN_NOISE = "within_noise"


class AlarmOutcome(StrEnum):
    """The drift verdict crossed with significant harm to the never-retrained model."""

    DRIFT_WITH_HARM = "drift_with_harm"
    HARMLESS_ALARM = "harmless_alarm"
    MISSED_ALARM = "missed_alarm"
    QUIET = "quiet"


# Metric prefixes of the scored models; `initial` is the never-retrained model.
PROD_PREFIX: Final = "prod"
NEW_PREFIX: Final = "new"
INITIAL_PREFIX: Final = "initial"


def initial_metric(score: str) -> str:
    """``initial_auc_test`` etc.: the never-retrained model on the same test set."""
    return f"{INITIAL_PREFIX}_{score}_test"


def auc_ci_low_metric(prefix: str) -> str:
    return f"{prefix}_auc_ci_low"


def auc_ci_high_metric(prefix: str) -> str:
    return f"{prefix}_auc_ci_high"


def brier_metric(prefix: str) -> str:
    return f"{prefix}_brier_test"


def ece_metric(prefix: str) -> str:
    return f"{prefix}_ece_test"


def calibration_slope_metric(prefix: str) -> str:
    return f"{prefix}_calibration_slope"


def calibration_intercept_metric(prefix: str) -> str:
    return f"{prefix}_calibration_intercept"


def calibration_slope_ci_low_metric(prefix: str) -> str:
    return f"{prefix}_calibration_slope_ci_low"


def calibration_slope_ci_high_metric(prefix: str) -> str:
    return f"{prefix}_calibration_slope_ci_high"


def auc_estimated_metric(prefix: str) -> str:
    """``prod_auc_estimated``: the model's AUC estimated without labels (CBPE)."""
    return f"{prefix}_auc_estimated"


def auc_estimated_ci_low_metric(prefix: str) -> str:
    return f"{prefix}_auc_estimated_ci_low"


def auc_estimated_ci_high_metric(prefix: str) -> str:
    return f"{prefix}_auc_estimated_ci_high"


def auc_estimation_error_metric(prefix: str) -> str:
    """The estimate minus the realised AUC, once the labels are in."""
    return f"{prefix}_auc_estimation_error"


def ece_null_p95_metric(prefix: str) -> str:
    """The ECE a perfectly calibrated model reaches at its 95th percentile on these predictions."""
    return f"{prefix}_ece_null_p95"


CALIBRATION_DIR: Final = "calibration"
RELIABILITY_PRODUCTION_ARTIFACT: Final = f"{CALIBRATION_DIR}/reliability_production.json"
RELIABILITY_NEW_ARTIFACT: Final = f"{CALIBRATION_DIR}/reliability_new.json"
RELIABILITY_INITIAL_ARTIFACT: Final = f"{CALIBRATION_DIR}/reliability_initial.json"
# The fields of each bin of a reliability artifact (`{"bins": [...], "brier": ..., "ece": ...}`).
RELIABILITY_BIN_FIELDS: Final = ("mean_predicted", "observed", "count")

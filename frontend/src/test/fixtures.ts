/** Typed fixtures in the API's generated shapes: a six-batch experiment like `make demo`. */
import type { ReportApi } from "../api/client";
import { ApiError } from "../api/client";
import type {
  BaselineResponse,
  BatchResult,
  BatchesResponse,
  CalibrationResponse,
  DriftResult,
  ModelScores,
  Provenance,
  PoliciesResponse,
  ReportConfig,
  RocResponse,
  Summary,
} from "../api/types";
import { POLICIES } from "./policyFixtures";

export const THRESHOLD = 0.3;

function scores(
  version: string,
  auc: number,
  f1: number,
  precision: number,
  recall: number,
): ModelScores {
  return { auc, f1, precision, recall, version };
}

function batch(overrides: Partial<BatchResult> & Pick<BatchResult, "batch">): BatchResult {
  return {
    decision: null,
    retrained: null,
    deployed: null,
    promotion_pending: false,
    drift: null,
    production: null,
    new: null,
    auc_improvement: null,
    f1_improvement: null,
    test_set: null,
    quality_gate_run_id: null,
    model_version: null,
    superseded_runs: 0,
    unfinished_newer_runs: 0,
    mlflow_url: null,
    evidence_recorded: false,
    deployed_worse_than_chance: false,
    ...overrides,
  };
}

type TriggerReason = NonNullable<DriftResult["trigger_reason"]>;

/** A drift run with the pipeline's logged verdict: `reason` says whether and why it retrained. */
export function drift(
  share: number,
  drifted: string[],
  reason: TriggerReason,
  threshold = THRESHOLD,
): DriftResult {
  return {
    measured: true,
    share,
    n_drifted_columns: drifted.length,
    n_total_columns: 40,
    dataset_drift: share >= 0.5,
    run_id: `drift-run-${share}`,
    drifted_columns: drifted.map((column) => ({ column, kind: "numeric", test: "ks" })),
    mlflow_url: null,
    threshold,
    retrain_triggered: reason !== "none",
    trigger_reason: reason,
    trigger_logged: true,
  };
}

export const BATCHES: BatchResult[] = [
  batch({
    batch: 0,
    decision: "BASELINE",
    drift: {
      measured: false,
      share: null,
      n_drifted_columns: null,
      n_total_columns: 0,
      dataset_drift: null,
      run_id: "drift-0",
      drifted_columns: null,
      threshold: null,
      retrain_triggered: null,
      trigger_reason: null,
      trigger_logged: false,
    },
    production: scores("1", 0.681, 0.214, 0.512, 0.135),
    auc_improvement: null,
    f1_improvement: null,
    test_set: "initial_test",
    quality_gate_run_id: "gate-0",
    model_version: "1",
    mlflow_url: "http://127.0.0.1:5000/#/experiments/2/runs/gate-0",
  }),
  batch({
    batch: 1,
    decision: "SKIP_NO_DRIFT",
    retrained: false,
    deployed: false,
    drift: drift(0.05, ["age", "num_lab_procedures"], "none"),
    production: scores("1", 0.672, 0.201, 0.498, 0.126),
    auc_improvement: 0,
    f1_improvement: 0,
    test_set: "batch_1_test",
    quality_gate_run_id: "gate-1",
  }),
  batch({
    batch: 2,
    decision: "SKIP_NO_DRIFT",
    retrained: false,
    deployed: false,
    drift: drift(0.1, ["age", "race", "number_inpatient", "A1Cresult"], "none"),
    production: scores("1", 0.665, 0.198, 0.49, 0.122),
    test_set: "batch_2_test",
    quality_gate_run_id: "gate-2",
  }),
  batch({
    batch: 3,
    decision: "DEPLOY",
    retrained: true,
    deployed: true,
    drift: drift(0.35, ["age", "race", "gender", "number_inpatient", "num_medications"], "drift"),
    production: scores("1", 0.641, 0.18, 0.47, 0.111),
    new: scores("2", 0.662, 0.205, 0.5, 0.13),
    auc_improvement: 0.021,
    f1_improvement: 0.025,
    test_set: "batch_3_test",
    quality_gate_run_id: "gate-3",
    model_version: "2",
  }),
  batch({
    batch: 4,
    decision: "DEPLOY_REFRESH",
    retrained: true,
    deployed: true,
    drift: drift(0.6, ["age", "admission_type_id", "time_in_hospital"], "drift"),
    production: scores("2", 0.655, 0.19, 0.48, 0.12),
    new: scores("3", 0.648, 0.186, 0.475, 0.118),
    auc_improvement: -0.007,
    f1_improvement: -0.004,
    test_set: "batch_4_test",
    quality_gate_run_id: "gate-4",
    model_version: "3",
  }),
  batch({
    batch: 5,
    decision: "SKIP",
    retrained: true,
    deployed: false,
    drift: drift(0.45, ["num_medications", "insulin"], "drift"),
    production: scores("3", 0.63, 0.17, 0.46, 0.1),
    new: scores("4", 0.58, 0.15, 0.42, 0.09),
    auc_improvement: -0.05,
    f1_improvement: -0.02,
    test_set: "batch_5_test",
    quality_gate_run_id: "gate-5",
    model_version: "4",
  }),
];

export const BATCHES_RESPONSE: BatchesResponse = {
  drift_threshold: THRESHOLD,
  batches: BATCHES,
  stale: false,
};

export const SUMMARY: Summary = {
  title: "Health Predict — Continuous Improvement Experiment",
  bottom_line: [
    "5 batches of new patients arrived; the model was retrained on batches 3, 4 and 5 and 2 new versions were deployed.",
    "The model in Production now (version 3) scores AUC 0.482 (95% CI 0.435 to 0.528) on batch 5: no better than chance, so its risk scores should not be relied on until it is replaced.",
  ],
  production_model: { name: "HealthPredictModel", version: "3", auc: 0.648 },
  batches_processed: 5,
  total_batches: 5,
  retraining_events: 3,
  deployments: 2,
  has_baseline: true,
  start_auc: 0.681,
  end_auc: 0.63,
  drift_threshold: THRESHOLD,
  takeaway: "Drift triggered retraining in 3 of 5 batches; the gate kept Production once.",
  stale: false,
  evidence_recorded: false,
  start: {
    auc: 0.681,
    ci_low: null,
    ci_high: null,
    worse_than_chance: null,
    batch: 0,
    test_set: "initial_test",
  },
  end_production: {
    auc: 0.63,
    ci_low: null,
    ci_high: null,
    worse_than_chance: null,
    batch: 5,
    test_set: "batch_5_test",
  },
};

export const CONFIG: ReportConfig = {
  mlflow_tracking_uri: "sqlite:///tmp/mlflow.db",
  mlflow_ui_url: "http://127.0.0.1:5000",
  airflow_ui_url: null,
  drift_threshold: THRESHOLD,
  baseline_command: "python -m baseline",
  baseline_allowed: true,
};

export const ROC: RocResponse = {
  batch: 3,
  production: { fpr: [0, 0.1, 0.4, 1], tpr: [0, 0.3, 0.7, 1], auc: 0.641 },
  new: { fpr: [0, 0.1, 0.3, 1], tpr: [0, 0.35, 0.75, 1], auc: 0.662 },
};

export const BASELINE: BaselineResponse = {
  quality_gate_run_id: "gate-0",
  drift_run_id: "drift-0",
  model_version: "1",
  auc: 0.681,
  f1: 0.214,
  precision: 0.512,
  recall: 0.135,
};

/** The stamp for the fixtures' six batches: run ids match `BATCHES`. */
export const PROVENANCE: Provenance = {
  tracking_uri: "http://mlflow:5000",
  mlflow_ui_url: "http://127.0.0.1:5000",
  model_name: "HealthPredictModel",
  production_version: "3",
  model_versions: ["1", "2", "3"].map((version) => ({
    version,
    run_id: `train-${version}`,
    stage: version === "3" ? "Production" : "Archived",
    aliases: version === "3" ? ["production"] : [],
  })),
  batches: BATCHES.map((result) => ({
    batch: result.batch,
    drift_run_id: result.drift?.run_id ?? null,
    drift_run_url: null,
    quality_gate_run_id: result.quality_gate_run_id,
    quality_gate_run_url: result.mlflow_url ?? null,
    training_run_id: null,
    model_version: result.model_version ?? null,
    airflow_dag_run_id: null,
    airflow_dag_run_url: null,
    superseded_runs: result.superseded_runs,
  })),
  data_sha256: ["0689e7ec031237dc63031b938805c48377748761a3b0e0b8e3e1d2c7b3f4a5b6"],
  seeds: [42],
  project_version: "0.1.0",
  git_commit: "0123456789abcdef0123456789abcdef01234567",
  superseded_runs: 0,
};

type Call =
  | "summary"
  | "batches"
  | "config"
  | "provenance"
  | "roc"
  | "calibration"
  | "refresh"
  | "createBaseline"
  | "policies";

/**
 * A ReportApi answering from fixtures and recording every call, so tests can assert what the
 * page asked for. `fail` makes a call reject like an unreachable API.
 */
export class FixtureApi implements ReportApi {
  readonly baseUrl = "http://127.0.0.1:8000";
  readonly exportUrl = "http://127.0.0.1:8000/export";
  readonly calls: Array<{ call: Call; batch?: number }> = [];
  summaryData: Summary = SUMMARY;
  batchesData: BatchesResponse = BATCHES_RESPONSE;
  configData: ReportConfig = CONFIG;
  provenanceData: Provenance = PROVENANCE;
  rocData: Map<number, RocResponse | null> = new Map([[3, ROC]]);
  calibrationData: Map<number, CalibrationResponse | null> = new Map();
  failing = new Set<Call>();

  count(call: Call): number {
    return this.calls.filter((entry) => entry.call === call).length;
  }

  private answer<T>(call: Call, value: T, batch?: number): Promise<T> {
    this.calls.push(batch === undefined ? { call } : { call, batch });
    if (this.failing.has(call)) {
      return Promise.reject(new ApiError(`The report API could not be reached (${call})`));
    }
    return Promise.resolve(structuredClone(value));
  }

  summary() {
    return this.answer("summary", this.summaryData);
  }
  batches() {
    return this.answer("batches", this.batchesData);
  }
  config() {
    return this.answer("config", this.configData);
  }
  provenance() {
    return this.answer("provenance", this.provenanceData);
  }
  roc(batchNumber: number) {
    return this.answer("roc", this.rocData.get(batchNumber) ?? null, batchNumber);
  }
  calibration(batchNumber: number) {
    return this.answer("calibration", this.calibrationData.get(batchNumber) ?? null, batchNumber);
  }
  refresh() {
    return this.answer("refresh", { refreshed: true });
  }
  createBaseline() {
    return this.answer("createBaseline", BASELINE);
  }
  policiesData: PoliciesResponse = POLICIES;
  policies() {
    return this.answer("policies", this.policiesData);
  }
}

export function batchFixture(number: number): BatchResult {
  const found = BATCHES.find((entry) => entry.batch === number);
  if (!found) throw new Error(`no fixture for batch ${number}`);
  return structuredClone(found);
}

/** Typed fixtures in the API's generated shapes: a six-batch experiment like `make demo`. */
import type { ReportApi } from "../api/client";
import { ApiError } from "../api/client";
import type {
  BaselineResponse,
  BatchResult,
  BatchesResponse,
  ModelScores,
  PoliciesResponse,
  ReportConfig,
  RocResponse,
  Summary,
} from "../api/types";
import { POLICIES } from "./policyFixtures";

export const THRESHOLD = 0.3;

function scores(auc: number, f1: number, precision: number, recall: number): ModelScores {
  return { auc, f1, precision, recall };
}

function batch(overrides: Partial<BatchResult> & Pick<BatchResult, "batch">): BatchResult {
  return {
    decision: null,
    retrained: null,
    deployed: null,
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
    ...overrides,
  };
}

function drift(share: number, drifted: string[], total = 40): BatchResult["drift"] {
  return {
    share,
    n_drifted_columns: drifted.length,
    n_total_columns: total,
    dataset_drift: share >= 0.5,
    run_id: `drift-run-${share}`,
    drifted_columns: drifted.map((column) => ({ column, kind: "numeric", test: "ks" })),
    mlflow_url: null,
  };
}

export const BATCHES: BatchResult[] = [
  batch({
    batch: 0,
    decision: "BASELINE",
    drift: {
      share: 0,
      n_drifted_columns: 0,
      n_total_columns: 0,
      dataset_drift: false,
      run_id: "drift-0",
      drifted_columns: null,
    },
    production: scores(0.681, 0.214, 0.512, 0.135),
    auc_improvement: 0,
    f1_improvement: 0,
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
    drift: drift(0.05, ["age", "num_lab_procedures"]),
    production: scores(0.672, 0.201, 0.498, 0.126),
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
    drift: drift(0.1, ["age", "race", "number_inpatient", "A1Cresult"]),
    production: scores(0.665, 0.198, 0.49, 0.122),
    test_set: "batch_2_test",
    quality_gate_run_id: "gate-2",
  }),
  batch({
    batch: 3,
    decision: "DEPLOY",
    retrained: true,
    deployed: true,
    drift: drift(0.35, ["age", "race", "gender", "number_inpatient", "num_medications"]),
    production: scores(0.641, 0.18, 0.47, 0.111),
    new: scores(0.662, 0.205, 0.5, 0.13),
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
    drift: drift(0.6, ["age", "admission_type_id", "time_in_hospital"]),
    production: scores(0.655, 0.19, 0.48, 0.12),
    new: scores(0.648, 0.186, 0.475, 0.118),
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
    drift: drift(0.45, ["num_medications", "insulin"]),
    production: scores(0.63, 0.17, 0.46, 0.1),
    new: scores(0.58, 0.15, 0.42, 0.09),
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

type Call = "summary" | "batches" | "config" | "roc" | "refresh" | "createBaseline" | "policies";

/**
 * A ReportApi answering from fixtures and recording every call, so tests can assert what the
 * page asked for. `fail` makes a call reject like an unreachable API.
 */
export class FixtureApi implements ReportApi {
  readonly baseUrl = "http://127.0.0.1:8000";
  readonly calls: Array<{ call: Call; batch?: number }> = [];
  summaryData: Summary = SUMMARY;
  batchesData: BatchesResponse = BATCHES_RESPONSE;
  configData: ReportConfig = CONFIG;
  rocData: Map<number, RocResponse | null> = new Map([[3, ROC]]);
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
  roc(batchNumber: number) {
    return this.answer("roc", this.rocData.get(batchNumber) ?? null, batchNumber);
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

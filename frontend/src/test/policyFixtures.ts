/** A policy replay as `GET /policies` returns it: three policies over batches 1-5. */
import type { PoliciesResponse, PolicyBatch, PolicyResult } from "../api/types";

function batches(aucs: number[], outcomes: PolicyBatch["outcome"][]): PolicyBatch[] {
  return aucs.map((auc, index) => {
    const outcome = outcomes[index] ?? null;
    return {
      batch: index + 1,
      auc,
      ci_low: auc - 0.045,
      ci_high: auc + 0.045,
      retrained: outcome !== "not_retrained",
      deployed: outcome === "deployed",
      outcome,
    };
  });
}

function policy(
  label: string,
  aucs: number[],
  outcomes: PolicyBatch["outcome"][],
  overrides: Partial<PolicyResult> = {},
): PolicyResult {
  const [trigger, training, validation] = label.split(":");
  const worst = Math.min(...aucs);
  const mean = aucs.reduce((sum, value) => sum + value, 0) / aucs.length;
  return {
    run_id: `run-${label}`,
    run_name: `replay_${trigger}_${training ?? "none"}`,
    label,
    trigger: trigger ?? null,
    training_policy: training ?? "none",
    validation_data: validation ?? "initial",
    configured: false,
    gate: "standard",
    batches: batches(aucs, outcomes),
    n_retrains: outcomes.filter((outcome) => outcome !== "not_retrained").length,
    n_deploys: outcomes.filter((outcome) => outcome === "deployed").length,
    mean_auc: mean,
    mean_auc_ci_low: mean - 0.02,
    mean_auc_ci_high: mean + 0.02,
    worst_auc: worst,
    worst_batch: aucs.indexOf(worst) + 1,
    training_seconds: 10.5,
    mlflow_url: null,
    ...overrides,
  };
}

const QUIET = ["not_retrained", "not_retrained"] as const;

export const POLICIES: PoliciesResponse = {
  available: true,
  replay_id: "3f2a9c",
  seed: 42,
  drift_threshold: 0.3,
  fixed_hyperparameters: true,
  hyperparameters: "max_depth 6, learning_rate 0.05",
  finished_at: 1_764_000_000_000,
  stale: false,
  forward_recorded: false,
  notes: [
    "5 batches and one seed (42): these figures describe this run-through of the experiment; they are not evidence of how the policies compare in general.",
    "The 95% intervals of the mean AUC overlap for every pair of policies: no policy is shown better than another.",
  ],
  policies: [
    policy("never", [0.634, 0.677, 0.668, 0.676, 0.43], [...QUIET, ...QUIET, "not_retrained"], {
      training_policy: "none",
    }),
    policy(
      "drift:all_data:initial",
      [0.634, 0.677, 0.664, 0.682, 0.433],
      [...QUIET, "deployed", "deployed", "deployed"],
      { configured: true },
    ),
    policy(
      "drift:recent_weighted:newest",
      [0.634, 0.677, 0.649, 0.676, 0.513],
      [...QUIET, "deployed", "kept_production", "deployed"],
    ),
  ],
};

export const NO_POLICIES: PoliciesResponse = {
  available: false,
  policies: [],
  notes: [],
  stale: false,
  forward_recorded: false,
};

/** The same replay with the forward-in-time paired comparison the API serves since issue 19. */
export const FORWARD_POLICIES: PoliciesResponse = {
  ...POLICIES,
  forward_recorded: true,
  notes: [
    POLICIES.notes?.[0] ?? "",
    "Forward in time (the model in Production after each batch, scored on the next batch) and paired with drift:all_data:initial on the same rows, after Holm's adjustment across 2 comparisons: never worse (mean −0.018, 95% CI −0.032 to −0.003, adjusted p 0.037); every other comparison is inconclusive.",
  ],
  policies: (POLICIES.policies ?? []).map((p) => {
    const byLabel: Record<string, Partial<PolicyResult>> = {
      never: {
        title: "Never retrain",
        mean_auc_next: 0.612,
        mean_delta_vs_configured: -0.018,
        mean_delta_ci_low: -0.032,
        mean_delta_ci_high: -0.003,
        p_value: 0.0185,
        p_holm: 0.037,
        verdict_vs_configured: "worse",
      },
      "drift:all_data:initial": {
        title: "Retrain on drift, on all data so far",
        mean_auc_next: 0.63,
        mean_delta_vs_configured: 0,
        mean_delta_ci_low: 0,
        mean_delta_ci_high: 0,
        p_value: 1,
        p_holm: 1,
        verdict_vs_configured: "reference",
      },
      "drift:recent_weighted:newest": {
        title: "Retrain on drift, newest batch weighted half, checked on the newest batch",
        mean_auc_next: 0.627,
        mean_delta_vs_configured: -0.003,
        mean_delta_ci_low: -0.011,
        mean_delta_ci_high: 0.005,
        p_value: 0.46,
        p_holm: 0.46,
        verdict_vs_configured: "inconclusive",
      },
    };
    return { ...p, ...byLabel[p.label] };
  }),
};

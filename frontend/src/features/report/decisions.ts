/**
 * What each pipeline decision means, in words. The decision itself always comes from the API's
 * `decision` field: the report never re-derives it from metrics.
 */
import type { Decision } from "../../api/types";

export type DecisionTone = "baseline" | "ok" | "drift" | "kept" | "unknown";

export interface DecisionInfo {
  /** Badge text: says in words what the colour says. */
  label: string;
  tone: DecisionTone;
  /** The decision in plain words for a reader who never saw the pipeline. */
  meaning: string;
}

export const DECISION_INFO: Record<Decision, DecisionInfo> = {
  BASELINE: {
    label: "Baseline",
    tone: "baseline",
    meaning:
      "Initial training: the first model was trained on the initial data and became the Production model. Every later batch is compared with it.",
  },
  SKIP_NO_DRIFT: {
    label: "No Drift",
    tone: "ok",
    meaning:
      "The data stayed close to the reference, so nothing was retrained: the Production model was scored on this batch's test set and kept.",
  },
  DEPLOY: {
    label: "Drift Detected → Retrained",
    tone: "drift",
    meaning:
      "Enough columns drifted to trigger retraining. The new model scored at least as well as Production on this batch's test set and was deployed.",
  },
  DEPLOY_REFRESH: {
    label: "Drift Detected → Retrained",
    tone: "drift",
    meaning:
      "Enough columns drifted to trigger retraining. The new model scored slightly below Production, within the tolerated margin, and was deployed anyway because it learned from fresher data.",
  },
  SKIP: {
    label: "Retrained → Kept Current Model",
    tone: "kept",
    meaning:
      "Enough columns drifted to trigger retraining, but the new model scored clearly below Production, so the quality gate kept the current Production model.",
  },
};

export const NO_DECISION: DecisionInfo = {
  label: "No Gate Result",
  tone: "unknown",
  meaning:
    "This batch has no finished quality-gate run yet, so there is no decision to show: its scores appear as “—”.",
};

export function decisionInfo(decision: Decision | null | undefined): DecisionInfo {
  return decision ? DECISION_INFO[decision] : NO_DECISION;
}

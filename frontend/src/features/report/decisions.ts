/**
 * What each pipeline decision means, in words. The decision itself always comes from the API's
 * `decision` field: the report never re-derives it from metrics.
 */
import type { BatchResult, Decision } from "../../api/types";

export type DecisionTone = "baseline" | "ok" | "deploy" | "refresh" | "kept" | "unknown";

export interface DecisionInfo {
  /** Badge text: says in words what the colour says. */
  label: string;
  tone: DecisionTone;
  /** The decision in plain words for a reader who never saw the pipeline. */
  meaning: string;
}

/**
 * Why retraining happened is the drift run's verdict (shown beside it); these words say only what
 * the quality gate decided, so they hold for a forced retrain too.
 */
export const DECISION_INFO: Record<Decision, DecisionInfo> = {
  BASELINE: {
    label: "Baseline",
    tone: "baseline",
    meaning:
      "The model in Production when the baseline was captured, scored on the initial test set. Every later batch is compared with it.",
  },
  SKIP_NO_DRIFT: {
    label: "Not retrained · kept Production",
    tone: "ok",
    meaning:
      "Retraining was not triggered, so nothing was trained: the Production model was scored on this batch's test set and kept.",
  },
  DEPLOY: {
    label: "Retrained → deployed",
    tone: "deploy",
    meaning:
      "A new model was trained. It scored at least as well as Production on this batch's test set, so the quality gate deployed it.",
  },
  DEPLOY_REFRESH: {
    label: "Retrained → deployed although slightly worse (fresher data)",
    tone: "refresh",
    meaning:
      "A new model was trained. It scored slightly below Production, within the tolerated margin, and was deployed although slightly worse because it learned from fresher data.",
  },
  SKIP: {
    label: "Retrained → kept Production",
    tone: "kept",
    meaning:
      "A new model was trained, but it scored clearly below Production, so the quality gate kept the Production model.",
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

/**
 * The API's `promotion_pending`: the gate decided a deploy that the registry does not show yet
 * (the step stopped before promoting it). The words name the registry's version the API sends.
 */
export function pendingPromotionWords(production: string | null | undefined): string {
  const still = production ? `Production is still v${production}` : "no model is in Production";
  return `Deploy decided, promotion not completed: ${still} until the next step completes it.`;
}

/** Whether a batch is the baseline, as the API's `decision` says: never worked out from its number. */
export function isBaseline(result: Pick<BatchResult, "decision">): boolean {
  return result.decision === "BASELINE";
}

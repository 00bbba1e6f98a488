/**
 * The pipeline's retrain verdict of one drift run, in words and a tone. Everything comes from the
 * API's fields (`retrain_triggered`, `trigger_reason`, the run's own `threshold`): the report never
 * compares a share with a threshold itself. A store that did not log the verdict gets one derived
 * by the API (`trigger_logged` false), and the words say so.
 */
import type { DriftResult } from "../../api/types";
import { formatShare } from "../../lib/format";

export type DriftTone = "drift" | "forced" | "quiet" | "unknown";

export interface DriftVerdict {
  tone: DriftTone;
  /** A sentence for the batch card. */
  words: string;
  /** Where the words rest on a verdict the API derived, not one the pipeline logged. */
  derived: boolean;
}

/** What the chart legend says for each tone. */
export const DRIFT_TONE_LABELS: Record<DriftTone, string> = {
  drift: "retraining triggered by drift",
  forced: "retraining forced",
  quiet: "no retraining",
  unknown: "no retraining verdict recorded",
};

/** The share the run measured; null where the API says nothing was measured (the baseline). */
export function measuredShare(drift: DriftResult | null | undefined): number | null {
  if (!drift?.measured) return null;
  return drift.share;
}

export function driftVerdict(drift: DriftResult | null | undefined): DriftVerdict {
  const share = formatShare(measuredShare(drift));
  const threshold = formatShare(drift?.threshold);
  const derived = drift?.trigger_logged === false;
  if (!drift || drift.retrain_triggered === null || drift.retrain_triggered === undefined) {
    return { tone: "unknown", words: "No retraining verdict was recorded.", derived: false };
  }
  if (drift.trigger_reason === "forced") {
    return {
      tone: "forced",
      words: `Retraining forced (drift share ${share} below the ${threshold} threshold).`,
      derived,
    };
  }
  if (drift.retrain_triggered) {
    return {
      tone: "drift",
      words: `Retraining triggered by drift (drift share ${share} at or above the ${threshold} threshold).`,
      derived,
    };
  }
  return {
    tone: "quiet",
    words: `No retraining (drift share ${share} below the ${threshold} threshold).`,
    derived,
  };
}

/**
 * Words and numbers for the evidence the pipeline logged: intervals, verdicts, alarm outcomes.
 * Every verdict comes from the API (logged by the pipeline or flagged by the backend); this
 * module only puts it into words.
 */
import type {
  AlarmOutcome,
  AucChange,
  AucDifference,
  CalibrationVerdict,
  GateComparison,
} from "../../api/types";
import { formatScore, formatSigned } from "../../lib/format";

export const WORSE_THAN_CHANCE = "worse than chance";
export const NOT_RECORDED = "The run did not record";

function isNumber(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

export { formatSigned };

/** "95% CI 0.643 to 0.693" for an AUC, or null when the run logged no interval. */
export function formatAucInterval(
  low: number | null | undefined,
  high: number | null | undefined,
): string | null {
  if (!isNumber(low) || !isNumber(high)) return null;
  return `95% CI ${formatScore(low)} to ${formatScore(high)}`;
}

export const AUC_CHANGE_WORDS: Record<AucChange, string> = {
  better: "better",
  worse: "worse",
  within_noise: "inconclusive",
};

/** "+0.004 (95% CI −0.013 to +0.021)" and, with a verdict, ": inconclusive". */
export function formatDifference(
  difference: AucDifference,
  verdict?: AucChange | null,
): string | null {
  if (!isNumber(difference.delta)) return null;
  const interval =
    isNumber(difference.ci_low) && isNumber(difference.ci_high)
      ? ` (95% CI ${formatSigned(difference.ci_low)} to ${formatSigned(difference.ci_high)})`
      : " (interval not recorded)";
  const words = verdict ? `: ${AUC_CHANGE_WORDS[verdict]}` : "";
  return `${formatSigned(difference.delta)}${interval}${words}`;
}

/** "0.035" or "<0.001": a p value as the page prints it. */
export function formatP(value: number): string {
  return value < 0.001 ? "<0.001" : value.toFixed(3);
}

/**
 * The gate's comparison with its adjusted verdict: "+0.125 (95% CI +0.08 to +0.17), p 0.001,
 * Holm-adjusted 0.003 over 3 comparisons: better". Without an adjusted verdict (an older store),
 * the logged single-test verdict.
 */
export function formatGateComparison(gate: GateComparison): string | null {
  if (!gate.verdict_adjusted || !isNumber(gate.p_value) || !isNumber(gate.p_holm)) {
    return formatDifference(gate, gate.verdict);
  }
  const base = formatDifference(gate);
  if (base === null) return null;
  const over = gate.comparisons === 1 ? "one comparison" : `${gate.comparisons} comparisons`;
  return `${base}, p ${formatP(gate.p_value)}, Holm-adjusted ${formatP(gate.p_holm)} over ${over}: ${gate.verdict_adjusted}`;
}

/** The backend's calibration verdict in words. */
export const CALIBRATION_WORDS: Record<CalibrationVerdict, string> = {
  within_perfect: "within what perfect calibration shows",
  over_confident: "over-confident (slope below 1)",
  under_confident: "under-confident (slope above 1)",
  miscalibrated: "off: ECE above what perfect calibration shows",
  reversed: "reversed: higher risk scores go with fewer readmissions (slope below 0)",
};

export const ALARM_WORDS: Record<AlarmOutcome, { title: string; meaning: string }> = {
  drift_with_harm: {
    title: "Drift with harm",
    meaning: "The data drifted and the never-retrained model measurably lost AUC.",
  },
  harmless_alarm: {
    title: "Drift, no harm detected",
    meaning:
      "The data drifted, and the never-retrained model's AUC here is not measurably below its AUC on the initial test set; a small loss would not show at this size.",
  },
  missed_alarm: {
    title: "Missed alarm",
    meaning:
      "The drift check saw no drift in the features, yet the never-retrained model scores measurably lower here than on the initial test set. These are different patients: this shows the batch is harder for the model, which the drift check cannot see, not that the model itself changed.",
  },
  quiet: {
    title: "Quiet",
    meaning: "No drift, and no measurable loss of AUC for the never-retrained model.",
  },
};

/** Shares such as the positive rate: one decimal percent. */
export function formatPercent(value: number | null | undefined): string {
  return isNumber(value) ? `${(value * 100).toFixed(1)}%` : "—";
}

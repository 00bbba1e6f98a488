import type { BatchResult } from "../../../../api/types";
import { formatScore } from "../../../../lib/format";
import { ALARM_WORDS, formatDifference, NOT_RECORDED } from "../../evidence";

/** Did the drift alarm tell the truth? The pipeline's outcome, in words, with the AUC shift. */
export function AlarmOutcomeLine({ result }: { result: BatchResult }) {
  const outcome = result.alarm_outcome;
  const shift = result.initial_auc_shift ? formatDifference(result.initial_auc_shift) : null;
  if (!outcome) {
    return <p className="muted">{NOT_RECORDED} whether the drift alarm told the truth.</p>;
  }
  const words = ALARM_WORDS[outcome];
  return (
    <p className={`alarm alarm--${outcome}`} data-alarm={outcome}>
      <strong>{words.title}.</strong> {words.meaning}
      {shift && (
        <span className="muted">
          {" "}
          Never-retrained AUC here minus on the initial test set: {shift}.
        </span>
      )}
      {typeof result.initial_auc_shift_detectable === "number" && (
        <span className="muted" data-detectable>
          {" "}
          The smallest drop this comparison detects 80 times in 100:{" "}
          {formatScore(result.initial_auc_shift_detectable)}.
        </span>
      )}
    </p>
  );
}

import type { Summary } from "../../../api/types";
import { formatCount, formatScore } from "../../../lib/format";
import { Delta } from "./Delta";

/** Where the experiment started, where it ended, and the API's one-sentence takeaway. */
export function FinalSummary({ summary }: { summary: Summary }) {
  const change =
    summary.start_auc !== null && summary.end_auc !== null
      ? summary.end_auc - summary.start_auc
      : null;
  return (
    <section className="section final-summary" aria-labelledby="final-summary-heading">
      <h2 id="final-summary-heading">Final summary</h2>
      <div className="final-summary__body">
        <div className="auc-journey">
          <div className="auc-journey__point">
            <span className="label">Starting AUC (Batch 0)</span>
            <span className="auc-journey__value">{formatScore(summary.start_auc)}</span>
          </div>
          <span className="auc-journey__arrow" aria-hidden="true">
            →
          </span>
          <div className="auc-journey__point">
            <span className="label">Final AUC</span>
            <span className="auc-journey__value">{formatScore(summary.end_auc)}</span>
          </div>
          <Delta value={change} against="the starting AUC" />
        </div>
        <p className="final-summary__count">
          <strong>
            {formatCount(summary.retraining_events)} of {formatCount(summary.batches_processed)}
          </strong>{" "}
          batches triggered retraining.
        </p>
        <p className="final-summary__takeaway">{summary.takeaway}</p>
      </div>
    </section>
  );
}

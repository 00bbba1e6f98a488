import type { Summary } from "../../../api/types";
import { formatCount } from "../../../lib/format";
import { formatDifference, NOT_RECORDED } from "../evidence";
import { AucPoint } from "./evidence/AucPoint";

import "./FinalSummary.css";

/** Where the experiment started, the last batch like with like, and the API's takeaways. */
export function FinalSummary({ summary }: { summary: Summary }) {
  const last = summary.end_production?.batch;
  const net = summary.net_effect_last ? formatDifference(summary.net_effect_last) : null;
  return (
    <section className="section final-summary" aria-labelledby="final-summary-heading">
      <h2 id="final-summary-heading">Final summary</h2>
      <div className="final-summary__body">
        <div className="auc-journey">
          <AucPoint label="Start: batch 0, a different test set" point={summary.start ?? null} />
          <AucPoint
            label={`Batch ${last ?? "—"}: Production`}
            point={summary.end_production ?? null}
          />
          {summary.evidence_recorded && (
            <AucPoint
              label={`Batch ${last ?? "—"}: never-retrained model`}
              point={summary.end_initial ?? null}
            />
          )}
        </div>
        <p className="muted">
          {summary.evidence_recorded
            ? `Net effect of retraining on batch ${last ?? "—"}: ${net ?? "not recorded"}.`
            : `${NOT_RECORDED} the never-retrained model, so the last batch cannot be compared with it.`}{" "}
          Batch 0 and the last batch are different patients, so the change from the start mixes the
          model with the test set; the like-for-like comparison is Production against the
          never-retrained model on the same batch. The alarm labels on each batch compare the
          never-retrained model across test sets in the same way, and say what that can show.
        </p>
        <p className="final-summary__count">
          <strong>
            {formatCount(summary.retraining_events)} of {formatCount(summary.batches_processed)}
          </strong>{" "}
          batches triggered retraining.
        </p>
        <p className="final-summary__takeaway">{summary.takeaway}</p>
        {summary.retraining_takeaway && (
          <p className="final-summary__takeaway">{summary.retraining_takeaway}</p>
        )}
      </div>
    </section>
  );
}

import type { BatchResult, Summary } from "../../../../api/types";
import { RetrainingEffect } from "./RetrainingEffect";

import "./RetrainingSection.css";
import { Term } from "../../../../components/glossary/Term";

/** "Did retraining help?": the chart of the three models and the backend's one sentence. */
export function RetrainingSection({
  summary,
  batches,
}: {
  summary: Summary;
  batches: BatchResult[];
}) {
  return (
    <section className="section" aria-labelledby="retraining-effect-heading">
      <h2 id="retraining-effect-heading">Did retraining help?</h2>
      <p className="section__lede">
        Each batch&rsquo;s test split scores three models: the one{" "}
        <Term id="never-retrained">never retrained</Term> since batch 0,{" "}
        <Term id="production">Production</Term> before this batch&rsquo;s decision, and Production
        after it.
      </p>
      <div className="panel">
        <RetrainingEffect summary={summary} batches={batches} />
        {summary.retraining_takeaway && (
          <p className="retraining-takeaway" data-testid="retraining-takeaway">
            {summary.retraining_takeaway}
          </p>
        )}
      </div>
    </section>
  );
}

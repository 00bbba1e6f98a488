import { useReportConfig } from "../../../api/queries";
import { useCreateBaseline } from "../queries";

import "./DecisionBadge.css";
import "./batch-card/BatchCard.css";

/** Stands where Batch 0 would be, and says how to create it. */
export function BaselineMissing() {
  const config = useReportConfig();
  const create = useCreateBaseline();
  return (
    <article className="batch-card batch-card--missing" aria-labelledby="baseline-missing-heading">
      <header className="batch-card__header">
        <h3 id="baseline-missing-heading">Batch 0 — baseline missing</h3>
        <span className="badge badge--unknown">
          <span className="badge__dot" aria-hidden="true" />
          Not captured
        </span>
      </header>
      <p>
        Every later batch is compared with Batch 0, the Production model scored on the initial test
        set. This store has no Batch 0 yet. Create it with:
      </p>
      <pre className="command">
        <code>{config.data?.baseline_command ?? "python -m baseline"}</code>
      </pre>
      {config.data?.baseline_allowed && (
        <div className="batch-card__footer">
          <button
            type="button"
            className="button button--primary"
            onClick={() => create.mutate()}
            disabled={create.isPending}
          >
            {create.isPending ? "Capturing the baseline…" : "Capture the baseline now"}
          </button>
        </div>
      )}
      <p role="status" className="batch-card__status">
        {create.isError
          ? `The baseline could not be captured: ${create.error.message}`
          : create.isSuccess
            ? `Baseline captured: model version ${create.data.model_version}.`
            : ""}
      </p>
    </article>
  );
}

import { useId, useState } from "react";

import { useApi } from "../../../api/context";
import type { BatchResult, DriftResult } from "../../../api/types";
import { decisionInfo } from "../decisions";
import { candidateDeltas } from "../deltas";
import { DASH, formatCount, formatShare, safeHref } from "../format";
import { DecisionBadge } from "./DecisionBadge";
import { RocPanel } from "./RocCurve";
import { ScoreCard } from "./ScoreCards";

interface BatchCardProps {
  result: BatchResult;
  threshold: number;
}

function DriftedColumns({ drift }: { drift: DriftResult }) {
  if (drift.drifted_columns === null || drift.drifted_columns === undefined) {
    return <p className="muted">The per-column drift details were not recorded for this run.</p>;
  }
  if (drift.drifted_columns.length === 0) {
    return <p className="muted">No column drifted.</p>;
  }
  return (
    <div className="drifted">
      <p className="drifted__title">Columns that drifted</p>
      <ul className="chips">
        {drift.drifted_columns.map((column) => (
          <li
            className="chip"
            key={column.column}
            title={[column.kind, column.test].filter(Boolean).join(" · ") || undefined}
          >
            {column.column}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Drift share against the threshold, in words and numbers. */
function DriftSection({ drift, threshold }: { drift: DriftResult | null; threshold: number }) {
  if (!drift) {
    return (
      <div className="batch-card__drift">
        <p className="muted">No drift check was recorded for this batch.</p>
      </div>
    );
  }
  const share = drift.share;
  const comparison =
    share === null
      ? "not measured"
      : share >= threshold
        ? `at or above the threshold of ${formatShare(threshold)}`
        : `below the threshold of ${formatShare(threshold)}`;
  return (
    <div className="batch-card__drift">
      <dl className="facts">
        <div>
          <dt>Drift share</dt>
          <dd>
            <strong>{formatShare(share)}</strong> <span className="muted">({comparison})</span>
          </dd>
        </div>
        <div>
          <dt>Drifted columns</dt>
          <dd>
            {drift.n_drifted_columns === null && drift.n_total_columns === null
              ? DASH
              : `${formatCount(drift.n_drifted_columns)} of ${formatCount(drift.n_total_columns)}`}
          </dd>
        </div>
      </dl>
      <DriftedColumns drift={drift} />
    </div>
  );
}

/** One batch: what the data did, what the pipeline decided, and how the models scored. */
export function BatchCard({ result, threshold }: BatchCardProps) {
  // An exported report shows every curve: it is read (and printed) without an API to ask.
  const api = useApi();
  const [rocOpen, setRocOpen] = useState(api.embedded !== undefined);
  const rocId = useId();
  const isBaseline = result.batch === 0;
  const info = decisionInfo(result.decision);
  const retrained = result.retrained === true && result.new !== null;
  const mlflowHref = safeHref(result.mlflow_url);
  const headingId = `batch-${result.batch}-heading`;

  return (
    <article
      className={`batch-card batch-card--${info.tone}`}
      aria-labelledby={headingId}
      data-batch={result.batch}
    >
      <header className="batch-card__header">
        <div>
          <h3 id={headingId}>Batch {result.batch}</h3>
          {isBaseline && <p className="batch-card__subtitle">Initial Training — Baseline</p>}
        </div>
        <DecisionBadge decision={result.decision} />
      </header>

      {!isBaseline && <DriftSection drift={result.drift} threshold={threshold} />}

      <div className="batch-card__decision">
        <p>
          <span className="label">Decision</span>{" "}
          <code className="decision-code">{result.decision ?? result.raw_decision ?? DASH}</code>
          {result.deployed !== null && !isBaseline && (
            <span className="muted">
              {" "}
              · {result.deployed ? "new model deployed" : "Production model unchanged"}
            </span>
          )}
        </p>
        <p className="batch-card__meaning">
          {result.decision === null && result.raw_decision
            ? "The pipeline recorded a decision this report does not know, shown above as written."
            : info.meaning}
        </p>
      </div>

      <div className="score-cards">
        <ScoreCard
          title="Production model"
          subtitle={result.test_set ? `on ${result.test_set}` : undefined}
          scores={result.production}
        />
        {retrained && (
          <ScoreCard
            title="New model"
            subtitle={
              result.model_version ? `version ${result.model_version}` : "retrained candidate"
            }
            scores={result.new}
            deltas={candidateDeltas(result.production, result.new, {
              auc: result.auc_improvement,
              f1: result.f1_improvement,
            })}
          />
        )}
      </div>

      {(result.superseded_runs > 0 || result.unfinished_newer_runs > 0) && (
        <ul className="batch-card__notes">
          {result.superseded_runs > 0 && (
            <li>
              {result.superseded_runs} older or unfinished run
              {result.superseded_runs === 1 ? "" : "s"} of this batch hidden: the latest finished
              run is shown.
            </li>
          )}
          {result.unfinished_newer_runs > 0 && (
            <li>
              {result.unfinished_newer_runs} newer run
              {result.unfinished_newer_runs === 1 ? " is" : "s are"} still running or failed; the
              last finished one is shown.
            </li>
          )}
        </ul>
      )}

      <footer className="batch-card__footer">
        <button
          type="button"
          className="button button--ghost roc-toggle"
          aria-expanded={rocOpen}
          aria-controls={rocId}
          onClick={() => setRocOpen((open) => !open)}
        >
          <span aria-hidden="true" className="roc-toggle__icon">
            {rocOpen ? "▾" : "▸"}
          </span>{" "}
          {rocOpen ? "Hide ROC curve" : "Show ROC curve"}
        </button>
        {mlflowHref && (
          <a className="link" href={mlflowHref} target="_blank" rel="noreferrer noopener">
            Open in MLflow
          </a>
        )}
      </footer>
      <div id={rocId} hidden={!rocOpen} className="roc-region">
        {rocOpen && <RocPanel batch={result.batch} />}
      </div>
    </article>
  );
}

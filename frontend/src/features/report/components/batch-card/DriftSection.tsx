import type { DriftResult } from "../../../../api/types";
import { DASH, formatCount, formatShare } from "../../../../lib/format";
import { driftVerdict, measuredShare } from "../../driftVerdict";

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

/**
 * The drift share, the pipeline's retrain verdict in words, and the columns that drifted; the
 * API's `measured` says whether there is a share at all.
 */
export function DriftSection({ drift }: { drift: DriftResult | null }) {
  if (!drift) {
    return (
      <div className="batch-card__drift">
        <p className="muted">No drift check was recorded for this batch.</p>
      </div>
    );
  }
  if (!drift.measured) {
    return (
      <div className="batch-card__drift">
        <p className="muted">No drift was measured for this batch.</p>
      </div>
    );
  }
  const verdict = driftVerdict(drift);
  return (
    <div className="batch-card__drift">
      <p className={`drift-verdict drift-verdict--${verdict.tone}`} data-tone={verdict.tone}>
        {verdict.words}
        {verdict.derived && (
          <span className="muted">
            {" "}
            This run did not log the verdict; the report API derived it from the share and the
            run&rsquo;s threshold.
          </span>
        )}
      </p>
      <dl className="facts">
        <div>
          <dt>Drift share</dt>
          <dd>
            <strong>{formatShare(measuredShare(drift))}</strong>
            {drift.threshold !== null && drift.threshold !== undefined && (
              <span className="muted"> (threshold {formatShare(drift.threshold)})</span>
            )}
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

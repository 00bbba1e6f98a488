import type { DriftResult } from "../../../../api/types";
import { DASH, formatCount, formatShare } from "../../../../lib/format";

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
export function DriftSection({
  drift,
  threshold,
}: {
  drift: DriftResult | null;
  threshold: number;
}) {
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

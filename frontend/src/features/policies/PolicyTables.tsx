import type { PolicyBatch, PolicyResult } from "../../api/types";
import { DASH, formatCount, formatScore } from "../../lib/format";

const OUTCOME_TEXT: Record<NonNullable<PolicyBatch["outcome"]>, string> = {
  not_retrained: "not retrained",
  deployed: "retrained, deployed",
  kept_production: "retrained, Production kept",
};

function interval(low: number | null | undefined, high: number | null | undefined): string {
  if (low == null || high == null) return DASH;
  return `${formatScore(low)}–${formatScore(high)}`;
}

/** AUC per batch per policy: the chart's numbers as text (with each batch's outcome). */
export function PolicyAucTable({ policies, id }: { policies: PolicyResult[]; id: string }) {
  const batches = [...new Set(policies.flatMap((p) => p.batches.map((b) => b.batch)))].sort(
    (a, b) => a - b,
  );
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={`${id}-caption`}>
      <table className="policy-auc-table" id={id}>
        <caption id={`${id}-caption`}>
          AUC (95% interval) of the model in Production after each batch, on that batch&rsquo;s test
          set
        </caption>
        <thead>
          <tr>
            <th scope="col">Policy</th>
            {batches.map((batch) => (
              <th scope="col" className="num" key={batch}>
                Batch {batch}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {policies.map((policy) => (
            <tr key={policy.run_id} className={policy.configured ? "row--configured" : undefined}>
              <th scope="row">
                {policy.label}
                {policy.configured && " (ran)"}
              </th>
              {batches.map((batch) => {
                const row = policy.batches.find((b) => b.batch === batch);
                return (
                  <td className="num" key={batch}>
                    {formatScore(row?.auc)}
                    <span className="policy-cell__detail">
                      {interval(row?.ci_low, row?.ci_high)}
                      {row?.outcome ? ` · ${OUTCOME_TEXT[row.outcome]}` : ""}
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One small table per policy: retrains, deploys, mean AUC with interval, worst batch, time. */
export function PolicyTable({ policy }: { policy: PolicyResult }) {
  const seconds = policy.training_seconds;
  return (
    <table className={policy.configured ? "policy-table policy-table--configured" : "policy-table"}>
      <caption>
        {policy.label}
        {policy.configured && <span className="policy-table__ran"> — the policy that ran</span>}
      </caption>
      <tbody>
        <tr>
          <th scope="row">Retrains</th>
          <td className="num">{formatCount(policy.n_retrains)}</td>
        </tr>
        <tr>
          <th scope="row">Deploys</th>
          <td className="num">{formatCount(policy.n_deploys)}</td>
        </tr>
        <tr>
          <th scope="row">Mean AUC (95%)</th>
          <td className="num">
            {formatScore(policy.mean_auc)} (
            {interval(policy.mean_auc_ci_low, policy.mean_auc_ci_high)})
          </td>
        </tr>
        <tr>
          <th scope="row">Worst batch</th>
          <td className="num">
            {policy.worst_batch == null
              ? DASH
              : `batch ${policy.worst_batch}: ${formatScore(policy.worst_auc)}`}
          </td>
        </tr>
        <tr>
          <th scope="row">Training seconds</th>
          <td className="num">{seconds == null ? DASH : seconds.toFixed(1)}</td>
        </tr>
      </tbody>
    </table>
  );
}

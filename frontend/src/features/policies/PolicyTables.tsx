import type { PolicyBatch, PolicyResult } from "../../api/types";
import { DASH, formatScore } from "../../lib/format";

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
    <div className="policy-auc-wrap" role="region" aria-labelledby={`${id}-caption`}>
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
                {policy.title ? (
                  <>
                    <span className="policy-title">{policy.title}</span>
                    <code className="policy-code">
                      {policy.label}
                      {policy.configured && " (ran)"}
                    </code>
                  </>
                ) : (
                  <>
                    {policy.label}
                    {policy.configured && " (ran)"}
                  </>
                )}
              </th>
              {batches.map((batch) => {
                const row = policy.batches.find((b) => b.batch === batch);
                return (
                  <td className="num" key={batch} data-label={`Batch ${batch}`}>
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

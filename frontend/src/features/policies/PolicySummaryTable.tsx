import type { PolicyResult } from "../../api/types";
import { DASH, formatCount, formatScore, formatSigned } from "../../lib/format";

const VERDICT_TEXT: Record<NonNullable<PolicyResult["verdict_vs_configured"]>, string> = {
  better: "better than the policy that ran",
  worse: "worse than the policy that ran",
  inconclusive: "inconclusive",
  reference: "the policy that ran",
};

function range(low: number | null | undefined, high: number | null | undefined, signed = false) {
  if (low == null || high == null) return DASH;
  const f = signed ? formatSigned : formatScore;
  return `${f(low)} to ${f(high)}`;
}

function Difference({ policy }: { policy: PolicyResult }) {
  if (policy.verdict_vs_configured == null) return <>{DASH}</>;
  if (policy.verdict_vs_configured === "reference")
    return <span className="policy-verdict">{VERDICT_TEXT.reference}</span>;
  return (
    <>
      <span className="policy-figure">{formatSigned(policy.mean_delta_vs_configured)}</span>
      <span className="policy-figure__detail">
        95% CI {range(policy.mean_delta_ci_low, policy.mean_delta_ci_high, true)}
      </span>
      <span className={`policy-verdict policy-verdict--${policy.verdict_vs_configured}`}>
        {VERDICT_TEXT[policy.verdict_vs_configured]}
        {policy.p_holm != null && ` (adjusted p ${policy.p_holm.toFixed(3)})`}
      </span>
    </>
  );
}

/**
 * One row per policy, every figure the API serves for it: what it is, how often it retrained and
 * deployed, its mean AUC forward in time, its paired difference to the policy that ran (with the
 * API's verdict), its worst batch and its training time. At phone width the rows become cards.
 */
export function PolicySummaryTable({
  policies,
  forward,
  id,
}: {
  policies: PolicyResult[];
  forward: boolean;
  id: string;
}) {
  return (
    <table className="policy-summary" id={id}>
      <caption>
        {forward
          ? "Each policy forward in time: the model it had in Production after each batch, scored on the next batch, and paired with the policy that ran on the same patients"
          : "Each policy on each batch's own test set (this replay did not record the forward-in-time comparison)"}
      </caption>
      <thead>
        <tr>
          <th scope="col">Policy</th>
          <th scope="col" className="num">
            Retrains · deploys
          </th>
          <th scope="col" className="num">
            {forward ? "Mean AUC, next batch" : "Mean AUC (95% CI)"}
          </th>
          {forward && <th scope="col">Difference to the policy that ran (paired)</th>}
          <th scope="col" className="num">
            Worst batch
          </th>
          <th scope="col" className="num">
            Training s
          </th>
        </tr>
      </thead>
      <tbody>
        {policies.map((policy) => (
          <tr key={policy.run_id} className={policy.configured ? "row--configured" : undefined}>
            <th scope="row" data-label="Policy">
              <span className="policy-title">{policy.title ?? policy.label}</span>
              <code className="policy-code">
                {policy.label}
                {policy.configured && " · ran"}
              </code>
            </th>
            <td className="num" data-label="Retrains · deploys">
              {formatCount(policy.n_retrains)} · {formatCount(policy.n_deploys)}
            </td>
            <td className="num" data-label={forward ? "Mean AUC, next batch" : "Mean AUC"}>
              {forward ? (
                formatScore(policy.mean_auc_next)
              ) : (
                <>
                  <span className="policy-figure">{formatScore(policy.mean_auc)}</span>
                  <span className="policy-figure__detail">
                    95% CI {range(policy.mean_auc_ci_low, policy.mean_auc_ci_high)}
                  </span>
                </>
              )}
            </td>
            {forward && (
              <td data-label="Difference to the policy that ran">
                <Difference policy={policy} />
              </td>
            )}
            <td className="num" data-label="Worst batch">
              {policy.worst_batch == null
                ? DASH
                : `${formatScore(policy.worst_auc)} (batch ${policy.worst_batch})`}
            </td>
            <td className="num" data-label="Training s">
              {policy.training_seconds == null ? DASH : policy.training_seconds.toFixed(1)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

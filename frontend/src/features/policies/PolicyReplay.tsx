import { PolicyDifferenceChart } from "./PolicyDifferenceChart";
import { PolicySummaryTable } from "./PolicySummaryTable";
import { PolicyAucTable } from "./PolicyTables";
import { usePolicies } from "./queries";

import "./policies.css";
import { Term } from "../../components/glossary/Term";

const TABLE_ID = "policy-auc-table";
const SUMMARY_ID = "policy-summary-table";

/**
 * "What other policies would have done": the latest finished replay, as the API assembled it.
 * Every sentence under the heading is the API's; the page only lays it out.
 */
export function PolicyReplay() {
  const { data, error } = usePolicies();
  let body;
  if (error) {
    body = <p className="section__lede">The policy replay could not be read: {error.message}</p>;
  } else if (!data) {
    body = <p className="section__lede">Loading the policy replay…</p>;
  } else if (!data.available) {
    body = (
      <p className="section__lede">
        This store holds no finished policy replay. Run <code>healthpredict replay</code> (or{" "}
        <code>healthpredict experiment run</code>, which replays at its end) to compare policies.
      </p>
    );
  } else {
    const policies = data.policies ?? [];
    body = (
      <>
        <p className="section__lede">
          Each <Term id="policies">policy</Term> is replayed on the same batches from the same first
          model. The comparison is <Term id="forward">forward in time</Term> and{" "}
          <Term id="paired">paired</Term> with the policy that ran, with the{" "}
          <Term id="holm">Holm adjustment</Term> across policies; a verdict is{" "}
          <Term id="inconclusive">inconclusive</Term> unless the evidence is clear.
        </p>
        <div className="policy-notes">
          {(data.notes ?? []).map((note) => (
            <p key={note}>{note}</p>
          ))}
        </div>
        <div className="panel">
          <h3>How each policy compares with the one that ran</h3>
          {data.forward_recorded && (
            <PolicyDifferenceChart policies={policies} describedBy={SUMMARY_ID} />
          )}
          <PolicySummaryTable policies={policies} forward={data.forward_recorded} id={SUMMARY_ID} />
        </div>
        <div className="panel">
          <h3>AUC per batch, by policy</h3>
          <PolicyAucTable policies={policies} id={TABLE_ID} />
        </div>
      </>
    );
  }
  return (
    <section className="section policy-replay" aria-labelledby="policy-replay-heading">
      <h2 id="policy-replay-heading">What other policies would have done</h2>
      {body}
    </section>
  );
}

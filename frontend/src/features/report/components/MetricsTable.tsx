import type { BatchResult, ModelScores } from "../../../api/types";
import { DASH, formatScore, formatShare, formatYesNo } from "../../../lib/format";
import { decisionInfo } from "../decisions";
import { measuredShare } from "../driftVerdict";
import { SCORES } from "../scores";
import { AucWithInterval } from "./evidence/AucWithInterval";

import "./MetricsTable.css";

function ScoreCells({ scores, group }: { scores: ModelScores | null; group: string }) {
  return SCORES.map(([key, label]) => (
    <td
      key={`${group}-${key}`}
      className={key === "auc" ? "num group-start" : "num"}
      data-label={`${group} ${label}`}
    >
      {key === "auc" ? (
        <AucWithInterval
          compact
          auc={scores?.auc}
          low={scores?.auc_ci_low}
          high={scores?.auc_ci_high}
          worseThanChance={scores?.worse_than_chance}
        />
      ) : (
        formatScore(scores?.[key])
      )}
    </td>
  ));
}

/** Every number of the report in one table: also the drift chart's text alternative. */
export function MetricsTable({ batches, id }: { batches: BatchResult[]; id: string }) {
  return (
    <>
      <p className="table-scroll__hint metrics-table__hint" aria-hidden="true">
        Scroll sideways for every column →
      </p>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={`${id}-caption`}>
        <table className="metrics-table" id={id}>
          <caption id={`${id}-caption`}>
            Drift share, decision and model scores per batch (Prod = the Production model, New = the
            retrained candidate, both on the batch&rsquo;s test set; F1, precision and recall at a
            0.5 cut-off; batch 0 is the reference, so no drift is measured). The decision&rsquo;s
            left border: solid teal, a new model deployed; dashed purple, a slightly worse but
            fresher model deployed; solid amber, retrained but Production kept; none, not retrained.
          </caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                Batch
              </th>
              <th scope="col" rowSpan={2}>
                Drift Share
              </th>
              <th scope="col" rowSpan={2}>
                Retrained?
              </th>
              <th scope="col" rowSpan={2}>
                Decision
              </th>
              <th scope="colgroup" colSpan={4} className="group group-start">
                Production model
              </th>
              <th scope="colgroup" colSpan={4} className="group group-start">
                New model
              </th>
            </tr>
            <tr>
              {(["Prod", "New"] as const).map((group) =>
                SCORES.map(([key, label]) => (
                  <th
                    scope="col"
                    key={`${group}-${key}`}
                    className={key === "auc" ? "num group-start" : "num"}
                  >
                    <span className="visually-hidden">{group} </span>
                    {label}
                  </th>
                )),
              )}
            </tr>
          </thead>
          <tbody>
            {batches.map((result) => {
              const forced = result.retrained === true && result.drift?.trigger_reason === "forced";
              return (
                <tr key={result.batch}>
                  <th scope="row" data-label="Batch">
                    {result.batch}
                  </th>
                  <td className="num" data-label="Drift share">
                    {formatShare(measuredShare(result.drift))}
                  </td>
                  <td data-label="Retrained?">
                    {formatYesNo(result.retrained)}
                    {forced && " (forced)"}
                  </td>
                  <td
                    className={`decision-cell decision-cell--${decisionInfo(result.decision).tone}`}
                    data-label="Decision"
                  >
                    {result.decision ? decisionInfo(result.decision).label : DASH}
                  </td>
                  <ScoreCells scores={result.production} group="Prod" />
                  <ScoreCells scores={result.new} group="New" />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

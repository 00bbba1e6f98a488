import type { BatchResult } from "../../../../api/types";
import { formatScore } from "../../../../lib/format";
import { scoredModels } from "./scoredModels";

/**
 * Each model's AUC as it was estimated before the batch's labels arrived (CBPE), beside the
 * realised AUC. The API says whether the two differ by more than sampling explains; the page
 * only words it.
 */
export function EstimatePanel({ result }: { result: BatchResult }) {
  const recorded = scoredModels(result).filter(([, scores]) => scores?.estimated);
  if (recorded.length === 0) return null;
  const missed = recorded.some(([, scores]) => scores?.estimated?.missed);
  return (
    <div className="estimate" data-estimate={missed ? "missed" : "tracked"}>
      <p className="estimate__title">
        AUC estimated before the labels arrived (from each model&rsquo;s own calibrated risks), then
        realised:
      </p>
      <ul className="estimate__list">
        {recorded.map(([name, scores]) => {
          const estimated = scores?.estimated;
          if (!estimated) return null;
          return (
            <li key={name} data-estimate-model={name}>
              <strong>{name}</strong>: estimated {formatScore(estimated.auc)}
              {typeof estimated.ci_low === "number" && typeof estimated.ci_high === "number" && (
                <span className="muted">
                  {" "}
                  (95% CI {formatScore(estimated.ci_low)} to {formatScore(estimated.ci_high)})
                </span>
              )}
              , realised {formatScore(scores?.auc)}
              {estimated.missed ? " — missed" : ""}
            </li>
          );
        })}
      </ul>
      {missed && (
        <p className="notice" role="note">
          The realised AUC differs from the estimate by more than sampling explains: the relation
          between the patients&rsquo; data and readmission changed, which no estimate made without
          labels can see.
        </p>
      )}
    </div>
  );
}

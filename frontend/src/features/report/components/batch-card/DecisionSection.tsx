import type { BatchResult } from "../../../../api/types";
import { DASH } from "../../../../lib/format";
import { decisionInfo } from "../../decisions";

/**
 * The gate's decision as logged, whether the candidate was deployed, and what that means. The API
 * sends `deployed` as null where nothing could be deployed (the baseline, no gate run).
 */
export function DecisionSection({ result }: { result: BatchResult }) {
  const info = decisionInfo(result.decision);
  return (
    <div className="batch-card__decision">
      <p>
        <span className="label">Decision</span>{" "}
        <code className="decision-code">{result.decision ?? result.raw_decision ?? DASH}</code>
        {result.deployed !== null && (
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
  );
}

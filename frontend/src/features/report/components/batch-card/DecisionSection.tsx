import type { BatchResult } from "../../../../api/types";
import { DASH } from "../../../../lib/format";
import { decisionInfo, pendingPromotionWords } from "../../decisions";

/** What `deployed` means for this batch, as the API's fields say. */
function deployedWords(result: BatchResult): string {
  if (result.promotion_pending) return "promotion not completed";
  return result.deployed ? "new model deployed" : "Production model unchanged";
}

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
        {result.deployed !== null && <span className="muted"> · {deployedWords(result)}</span>}
      </p>
      <p className="batch-card__meaning">
        {result.decision === null && result.raw_decision
          ? "The pipeline recorded a decision this report does not know, shown above as written."
          : info.meaning}
      </p>
      {result.promotion_pending && (
        <p className="batch-card__pending">{pendingPromotionWords(result.model_version)}</p>
      )}
    </div>
  );
}

import type { Decision } from "../../../api/types";
import { decisionInfo } from "../decisions";

import "./DecisionBadge.css";

/** The decision's colour plus its name in words: colour is never the only signal. */
export function DecisionBadge({ decision }: { decision: Decision | null }) {
  const info = decisionInfo(decision);
  return (
    <span className={`badge badge--${info.tone}`} data-decision={decision ?? "none"}>
      <span className="badge__dot" aria-hidden="true" />
      {info.label}
    </span>
  );
}

import { formatScore } from "../../../../lib/format";
import { formatAucInterval, WORSE_THAN_CHANCE } from "../../evidence";

import "./AucWithInterval.css";

interface AucWithIntervalProps {
  auc: number | null | undefined;
  low: number | null | undefined;
  high: number | null | undefined;
  /** The backend's flag: the whole interval lies below 0.5. */
  worseThanChance: boolean | null | undefined;
  /** The backend's words for the interval against 0.5; shown unless "better than chance". */
  chance?: string | null;
  /** Table cells: "0.668 (0.643–0.693)". */
  compact?: boolean;
}

const BETTER_THAN_CHANCE = "better than chance";

/**
 * An AUC, its 95% interval and, when the backend says so, "no better than chance" or "worse than
 * chance" in words.
 */
export function AucWithInterval({
  auc,
  low,
  high,
  worseThanChance,
  chance,
  compact = false,
}: AucWithIntervalProps) {
  const chanceWords = chance ?? (worseThanChance === true ? WORSE_THAN_CHANCE : null);
  const interval = formatAucInterval(low, high);
  const shown = compact && interval ? `${formatScore(low)}–${formatScore(high)}` : interval;
  if (auc === null || auc === undefined) return <span className="auc">—</span>;
  return (
    <span className="auc" data-auc={formatScore(auc)} data-auc-interval={interval ?? ""}>
      <span className="auc__value">{formatScore(auc)}</span>
      {(shown || !compact) && (
        <span className="auc__interval"> ({shown ?? "interval not recorded"})</span>
      )}
      {chanceWords && chanceWords !== BETTER_THAN_CHANCE && (
        <strong className="auc__chance"> · {chanceWords}</strong>
      )}
    </span>
  );
}

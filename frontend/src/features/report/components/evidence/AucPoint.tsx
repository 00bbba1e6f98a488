import type { AucOnTestSet } from "../../../../api/types";
import { AucWithInterval } from "./AucWithInterval";

/** One AUC of the final comparison, labelled with the model and the test set it was measured on. */
export function AucPoint({
  label,
  point,
}: {
  label: string;
  point: AucOnTestSet | null | undefined;
}) {
  return (
    <div className="auc-journey__point">
      <span className="label">{label}</span>
      <span className="auc-journey__value">
        <AucWithInterval
          auc={point?.auc}
          low={point?.ci_low}
          high={point?.ci_high}
          worseThanChance={point?.worse_than_chance}
          chance={point?.vs_chance}
        />
      </span>
      {point?.test_set && <span className="muted">on {point.test_set}</span>}
    </div>
  );
}

import type { Summary } from "../../../../api/types";
import { AucWithInterval } from "./AucWithInterval";

/** Production's AUC beside the never-retrained model's, on the same (last) test set. */
export function ProductionDetail({ summary }: { summary: Summary }) {
  const production = summary.production_model;
  if (!production) return <>No model in Production yet</>;
  const initial = summary.end_initial;
  return (
    <>
      {production.name} · AUC{" "}
      <AucWithInterval
        auc={production.auc}
        low={production.auc_ci_low}
        high={production.auc_ci_high}
        worseThanChance={production.worse_than_chance}
      />
      {initial && (
        <>
          <br />
          never-retrained model on batch {initial.batch}: AUC{" "}
          <AucWithInterval
            auc={initial.auc}
            low={initial.ci_low}
            high={initial.ci_high}
            worseThanChance={initial.worse_than_chance}
          />
        </>
      )}
    </>
  );
}

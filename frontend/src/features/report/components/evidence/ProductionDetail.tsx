import type { Summary } from "../../../../api/types";
import { pendingPromotionWords } from "../../decisions";
import { AucWithInterval } from "./AucWithInterval";

function PendingPromotion({ summary }: { summary: Summary }) {
  const pending = summary.promotion_pending;
  if (!pending) return null;
  return (
    <>
      <br />
      <strong>
        Batch {pending.batch}: {pendingPromotionWords(pending.production_version)}
      </strong>
    </>
  );
}

/**
 * Production's AUC beside the never-retrained model's, on the same (last) test set, and the API's
 * `promotion_pending` in words when a decided deploy has not reached the registry yet.
 */
export function ProductionDetail({ summary }: { summary: Summary }) {
  const production = summary.production_model;
  if (!production)
    return (
      <>
        No model in Production yet
        <PendingPromotion summary={summary} />
      </>
    );
  const initial = summary.end_initial;
  return (
    <>
      {production.name} · AUC{" "}
      <AucWithInterval
        auc={production.auc}
        low={production.auc_ci_low}
        high={production.auc_ci_high}
        worseThanChance={production.worse_than_chance}
        chance={production.vs_chance}
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
            chance={initial.vs_chance}
          />
        </>
      )}
      <PendingPromotion summary={summary} />
    </>
  );
}

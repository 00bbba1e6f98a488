import type { BatchResult } from "../../../../api/types";
import { candidateDeltas } from "../../scores";
import { ScoreCard } from "../ScoreCards";

/** Production's scores on the batch's test set and, when one was trained, the candidate's. */
export function BatchScores({ result }: { result: BatchResult }) {
  const retrained = result.retrained === true && result.new !== null;
  return (
    <div
      className={
        result.deployed_worse_than_chance ? "score-cards score-cards--no-success" : "score-cards"
      }
    >
      <ScoreCard
        title="Production model"
        subtitle={result.test_set ? `on ${result.test_set}` : undefined}
        scores={result.production}
      />
      {retrained && (
        <ScoreCard
          title="New model"
          subtitle={
            result.model_version ? `version ${result.model_version}` : "retrained candidate"
          }
          scores={result.new}
          deltas={candidateDeltas(result.production, result.new, {
            auc: result.auc_improvement,
            f1: result.f1_improvement,
          })}
        />
      )}
    </div>
  );
}

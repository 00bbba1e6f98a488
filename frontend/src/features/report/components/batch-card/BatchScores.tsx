import type { BatchResult } from "../../../../api/types";
import { candidateDeltas } from "../../scores";
import { ScoreCard } from "../ScoreCards";

function subtitle(version: string | null | undefined, testSet: string | null): string {
  const model = version ? `version ${version}` : "version not recorded";
  return testSet ? `${model}, on ${testSet}` : model;
}

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
        subtitle={subtitle(result.production?.version, result.test_set)}
        scores={result.production}
      />
      {retrained && (
        <ScoreCard
          title="New model"
          subtitle={subtitle(result.new?.version ?? result.model_version, result.test_set)}
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

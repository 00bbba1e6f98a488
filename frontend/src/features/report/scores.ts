/** The four scores every model gets, in the order the report shows them: the one list. */
import type { ModelScores } from "../../api/types";

export const SCORES = [
  ["auc", "AUC"],
  ["f1", "F1"],
  ["precision", "Precision"],
  ["recall", "Recall"],
] as const satisfies ReadonlyArray<readonly [keyof ModelScores, string]>;

export type ScoreKey = (typeof SCORES)[number][0];

export type Deltas = Partial<Record<ScoreKey, number | null>>;

/** Deltas of the candidate: the API's improvements where it reports them, else new minus prod. */
export function candidateDeltas(
  production: ModelScores | null,
  candidate: ModelScores | null,
  reported: { auc: number | null; f1: number | null },
): Deltas {
  const difference = (key: ScoreKey): number | null => {
    const a = candidate?.[key];
    const b = production?.[key];
    return typeof a === "number" && typeof b === "number" ? a - b : null;
  };
  return {
    auc: reported.auc ?? difference("auc"),
    f1: reported.f1 ?? difference("f1"),
    precision: difference("precision"),
    recall: difference("recall"),
  };
}

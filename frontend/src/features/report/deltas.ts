import type { ModelScores } from "../../api/types";

export type Deltas = Partial<Record<keyof ModelScores, number | null>>;

/** Deltas of the candidate: the API's improvements where it reports them, else new minus prod. */
export function candidateDeltas(
  production: ModelScores | null,
  candidate: ModelScores | null,
  reported: { auc: number | null; f1: number | null },
): Deltas {
  const difference = (key: keyof ModelScores): number | null => {
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

import type { BatchResult, ModelScores } from "../../../../api/types";

/** The models a batch's gate scored, named for the page: Production, the new model when one
 * was trained, and the never-retrained model. */
export function scoredModels(result: BatchResult): Array<[string, ModelScores | null | undefined]> {
  return [
    ["Production", result.production],
    ...(result.retrained ? [["New model", result.new] as [string, ModelScores | null]] : []),
    ["Never-retrained", result.initial],
  ];
}

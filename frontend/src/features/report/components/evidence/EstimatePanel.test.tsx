import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { BatchResult, ModelScores } from "../../../../api/types";
import { EVIDENCE_BATCHES } from "../../../../test/evidenceFixtures";
import { EstimatePanel } from "./EstimatePanel";

function withEstimate(
  scores: ModelScores | null | undefined,
  auc: number,
  missed: boolean,
): ModelScores | null {
  if (!scores) return null;
  return {
    ...scores,
    estimated: { auc, ci_low: auc - 0.01, ci_high: auc + 0.01, error: 0, missed },
  };
}

function batch(missed: boolean): BatchResult {
  const five = EVIDENCE_BATCHES.find((result) => result.batch === 5) as BatchResult;
  return {
    ...five,
    production: withEstimate(five.production, 0.691, missed),
    new: withEstimate(five.new, 0.668, missed),
    initial: withEstimate(five.initial, 0.701, false),
  };
}

describe("the AUC estimated before the labels", () => {
  it("shows each model's estimate beside its realised AUC", () => {
    render(<EstimatePanel result={batch(false)} />);
    expect(screen.getByText(/estimated before the labels arrived/)).toBeInTheDocument();
    const production = document.querySelector('[data-estimate-model="Production"]');
    expect(production).toHaveTextContent(
      /^Production: estimated 0\.691 \(95% CI 0\.681 to 0\.701\), realised /,
    );
    expect(document.querySelector('[data-estimate="tracked"]')).not.toBeNull();
    expect(screen.queryByRole("note")).toBeNull();
  });

  it("says what a miss means when the API flags one", () => {
    render(<EstimatePanel result={batch(true)} />);
    expect(document.querySelector('[data-estimate="missed"]')).not.toBeNull();
    expect(screen.getByRole("note")).toHaveTextContent(
      "the relation between the patients’ data and readmission changed, which no estimate made without labels can see",
    );
  });

  it("shows nothing for a run that recorded no estimate", () => {
    const { container } = render(
      <EstimatePanel result={{ ...batch(false), production: null, new: null, initial: null }} />,
    );
    expect(container).toBeEmptyDOMElement();
  });
});

import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { SUMMARY, batchFixture } from "../../../test/fixtures";
import { renderWithApi } from "../../../test/render";
import { BatchCard } from "./batch-card/BatchCard";
import { Hero } from "./Hero";

const STILL_V1 =
  "Deploy decided, promotion not completed: Production is still v1 until the next step completes it.";

describe("a deploy whose promotion did not complete (the API's promotion_pending)", () => {
  it("says so in the batch card's decision, naming the version the registry still serves", () => {
    // As the API sends it: the gate decided to deploy v2, the registry still serves v1.
    const pending = { ...batchFixture(3), promotion_pending: true, model_version: "1" };
    const { container } = renderWithApi(<BatchCard result={pending} />);
    expect(screen.getByText(STILL_V1)).toBeInTheDocument();
    expect(container).toHaveTextContent("DEPLOY · promotion not completed");
    expect(container).not.toHaveTextContent("new model deployed");
  });

  it("says nothing of it once the promotion completed", () => {
    const { container } = renderWithApi(<BatchCard result={batchFixture(3)} />);
    expect(container).toHaveTextContent("DEPLOY · new model deployed");
    expect(container).not.toHaveTextContent(/promotion not completed/);
  });

  it("shows it beside the current Production model at the top of the page", () => {
    const summary = {
      ...SUMMARY,
      production_model: { name: "HealthPredictModel", version: "1", auc: 0.641 },
      promotion_pending: { batch: 3, version: "2", production_version: "1" },
    };
    const { unmount } = render(<Hero summary={summary} />);
    const figures = screen.getByLabelText("Key figures");
    expect(within(figures).getByText(`Batch 3: ${STILL_V1}`)).toBeInTheDocument();
    unmount();
    render(<Hero summary={SUMMARY} />);
    expect(screen.queryByText(/promotion not completed/)).not.toBeInTheDocument();
  });
});

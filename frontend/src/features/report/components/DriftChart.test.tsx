import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { BatchResult } from "../../../api/types";
import { BATCHES, batchFixture, drift } from "../../../test/fixtures";
import { renderWithApi } from "../../../test/render";
import { DriftChart } from "./DriftChart";

function barTones(container: HTMLElement): Array<string | null> {
  return Array.from(container.querySelectorAll(".recharts-bar-rectangle path")).map((bar) =>
    bar.getAttribute("fill"),
  );
}

describe("DriftChart", () => {
  it("draws one bar per measured batch; batch 0, the reference, has none", () => {
    const { container } = renderWithApi(<DriftChart batches={BATCHES} describedBy="t" />);
    expect(container.querySelectorAll(".recharts-bar-rectangle path")).toHaveLength(5);
    expect(screen.getByText(/no drift measured \(batch 0 is the reference\)/)).toBeInTheDocument();
  });

  it("colours each bar by the pipeline's verdict, never by comparing share and threshold", () => {
    const batches: BatchResult[] = [
      { ...batchFixture(1), drift: drift(0.02, [], "forced") },
      { ...batchFixture(2), drift: drift(0.1, [], "none") },
      { ...batchFixture(3), drift: drift(0.35, [], "drift") },
      // Above the line, yet the pipeline logged no retrain: the bar follows the log.
      { ...batchFixture(4), drift: drift(0.6, [], "none") },
    ];
    const { container } = renderWithApi(<DriftChart batches={batches} describedBy="t" />);
    expect(barTones(container)).toEqual([
      "var(--color-forced)",
      "var(--color-ok)",
      "var(--color-drift)",
      "var(--color-ok)",
    ]);
    expect(screen.getByText("retraining forced")).toBeInTheDocument();
  });

  it("draws the runs' common threshold as one dashed line labelled with its value", async () => {
    const batches = [1, 2].map((n) => ({
      ...batchFixture(n),
      drift: drift(0.1, [], "none", 0.25),
    }));
    const { container } = renderWithApi(<DriftChart batches={batches} describedBy="t" />);
    const line = container.querySelector(".recharts-reference-line line");
    expect(line).toHaveAttribute("stroke-dasharray", "6 4");
    const label = await screen.findByText("threshold 0.25", { selector: "text, tspan" });
    expect(label.closest("svg")).not.toBeNull();
  });

  it("draws each run's own threshold when the runs used different ones", () => {
    const batches = [
      { ...batchFixture(1), drift: drift(0.1, [], "none", 0.3) },
      { ...batchFixture(2), drift: drift(0.2, [], "drift", 0.15) },
    ];
    const { container } = renderWithApi(<DriftChart batches={batches} describedBy="t" />);
    expect(container.querySelector(".recharts-reference-line")).toBeNull();
    const marks = container.querySelectorAll(".drift-threshold__mark");
    expect(marks).toHaveLength(2);
    expect(marks[0]?.getAttribute("y1")).not.toBe(marks[1]?.getAttribute("y1"));
    expect(screen.getByText("each run's own threshold")).toBeInTheDocument();
  });

  it("points at the table that states the same numbers", () => {
    renderWithApi(<DriftChart batches={BATCHES} describedBy="metrics" />);
    expect(screen.getByRole("figure")).toHaveAttribute("aria-describedby", "metrics");
  });
});

import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { BATCHES, THRESHOLD } from "../../../test/fixtures";
import { renderWithApi } from "../../../test/render";
import { DriftChart } from "./DriftChart";

describe("DriftChart", () => {
  it("draws one bar per batch, batch 0 included", () => {
    const { container } = renderWithApi(
      <DriftChart batches={BATCHES} threshold={THRESHOLD} describedBy="t" />,
    );
    expect(container.querySelectorAll(".recharts-bar-rectangle path")).toHaveLength(6);
  });

  it("colours bars at or above the threshold as drift, the others as fine", () => {
    const { container } = renderWithApi(
      <DriftChart batches={BATCHES} threshold={THRESHOLD} describedBy="t" />,
    );
    const fills = Array.from(container.querySelectorAll(".recharts-bar-rectangle path")).map(
      (bar) => bar.getAttribute("fill"),
    );
    expect(fills).toEqual([
      "var(--color-ok)",
      "var(--color-ok)",
      "var(--color-ok)",
      "var(--color-drift)",
      "var(--color-drift)",
      "var(--color-drift)",
    ]);
  });

  it("draws the API's threshold as a dashed line labelled with its value", async () => {
    const { container } = renderWithApi(
      <DriftChart batches={BATCHES} threshold={0.25} describedBy="t" />,
    );
    const line = container.querySelector(".recharts-reference-line line");
    expect(line).toHaveAttribute("stroke-dasharray", "6 4");
    const label = await screen.findByText("threshold 0.25", { selector: "text, tspan" });
    expect(label.closest("svg")).not.toBeNull();
  });

  it("points at the table that states the same numbers", () => {
    renderWithApi(<DriftChart batches={BATCHES} threshold={THRESHOLD} describedBy="metrics" />);
    expect(screen.getByRole("figure")).toHaveAttribute("aria-describedby", "metrics");
  });
});

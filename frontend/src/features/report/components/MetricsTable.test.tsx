import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { BATCHES, batchFixture, drift } from "../../../test/fixtures";
import { MetricsTable } from "./MetricsTable";

function bodyRows() {
  const table = screen.getByRole("table");
  const [, body] = within(table).getAllByRole("rowgroup");
  if (!body) throw new Error("table has no body");
  return within(body).getAllByRole("row");
}

function row(index: number): HTMLElement {
  const found = bodyRows()[index];
  if (!found) throw new Error(`table has no row ${index}`);
  return found;
}

describe("MetricsTable", () => {
  it("has one row per batch with its drift share and decision", () => {
    render(<MetricsTable batches={BATCHES} id="t" />);
    expect(bodyRows()).toHaveLength(6);
    const deploy = within(row(3))
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(within(row(3)).getByRole("rowheader")).toHaveTextContent("3");
    expect(deploy.slice(0, 3)).toEqual(["0.35", "Yes", "Retrained → deployed"]);
    expect(deploy.slice(3)).toEqual([
      "0.641",
      "0.180",
      "0.470",
      "0.111",
      "0.662",
      "0.205",
      "0.500",
      "0.130",
    ]);
  });

  it("says a retrain was forced, from the drift run's logged reason", () => {
    const forced = { ...batchFixture(3), drift: drift(0.02, [], "forced") };
    render(<MetricsTable batches={[forced]} id="t" />);
    expect(within(row(0)).getAllByRole("cell")[1]).toHaveTextContent("Yes (forced)");
  });

  it("shows — for batch 0's drift share and Retrained?, and for a model that was not trained", () => {
    render(<MetricsTable batches={BATCHES} id="t" />);
    const baseline = within(row(0))
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(baseline.slice(0, 3)).toEqual(["—", "—", "Baseline"]);
    expect(baseline.slice(7)).toEqual(["—", "—", "—", "—"]);
    const noDrift = within(row(1))
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(noDrift[1]).toBe("No");
  });

  it("renders a batch without a gate run and without drift metrics with dashes", () => {
    const partial = {
      ...batchFixture(2),
      decision: null,
      retrained: null,
      production: null,
      drift: null,
    };
    render(<MetricsTable batches={[partial]} id="t" />);
    const cells = within(row(0))
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(cells).toEqual(Array(11).fill("—"));
  });

  it("has a caption so the chart can point at it as its text alternative", () => {
    render(<MetricsTable batches={BATCHES} id="metrics" />);
    expect(screen.getByRole("table")).toHaveAttribute("id", "metrics");
    expect(
      screen.getByRole("table", { name: /drift share, decision and model scores/i }),
    ).toBeInTheDocument();
  });
});

import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { FixtureApi, THRESHOLD, batchFixture } from "../../../../test/fixtures";
import { renderWithApi } from "../../../../test/render";
import { BatchCard } from "./BatchCard";

describe("BatchCard", () => {
  it("explains batch 0 as the baseline, without a drift section", () => {
    renderWithApi(<BatchCard result={batchFixture(0)} threshold={THRESHOLD} />);
    expect(screen.getByRole("heading", { level: 3, name: "Batch 0" })).toBeInTheDocument();
    expect(screen.getByText("Initial Training — Baseline")).toBeInTheDocument();
    expect(screen.getByText("Baseline")).toHaveClass("badge--baseline");
    expect(screen.queryByText("Drift share")).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "New model" })).not.toBeInTheDocument();
  });

  it("shows drift against the threshold and the columns that drifted", () => {
    renderWithApi(<BatchCard result={batchFixture(3)} threshold={THRESHOLD} />);
    expect(screen.getByText("0.35")).toBeInTheDocument();
    expect(screen.getByText("(at or above the threshold of 0.30)")).toBeInTheDocument();
    expect(screen.getByText("5 of 40")).toBeInTheDocument();
    const chips = screen.getAllByRole("listitem").map((item) => item.textContent);
    expect(chips).toEqual(["age", "race", "gender", "number_inpatient", "num_medications"]);
  });

  it("shows the decision from the API with its meaning, even when metrics look otherwise", () => {
    // AUC improved, yet the API says SKIP: the card must follow the API, not re-derive it.
    const result = { ...batchFixture(5), auc_improvement: 0.05 };
    renderWithApi(<BatchCard result={result} threshold={THRESHOLD} />);
    expect(screen.getByText("SKIP")).toBeInTheDocument();
    expect(screen.getByText("Retrained → Kept Current Model")).toHaveClass("badge--kept");
    expect(screen.getByText(/kept the current Production model/)).toBeInTheDocument();
    expect(screen.getByText(/Production model unchanged/)).toBeInTheDocument();
  });

  it("shows the new model's scores with signed deltas against Production", () => {
    renderWithApi(<BatchCard result={batchFixture(4)} threshold={THRESHOLD} />);
    const candidate = screen.getByRole("region", { name: "New model" });
    const auc = within(candidate).getByText("AUC").closest(".score");
    expect(auc).toHaveTextContent("0.648");
    expect(auc).toHaveTextContent("−0.007");
    expect(within(auc as HTMLElement).getByText(/−0.007/)).toHaveClass("delta--down");
    const recall = within(candidate).getByText("Recall").closest(".score");
    expect(recall).toHaveTextContent("−0.002");
  });

  it("fetches the ROC curves only when opened, and draws both with AUC in the legend", async () => {
    const api = new FixtureApi();
    const { container } = renderWithApi(
      <BatchCard result={batchFixture(3)} threshold={THRESHOLD} />,
      api,
    );
    expect(api.count("roc")).toBe(0);
    const toggle = screen.getByRole("button", { name: /show roc curve/i });
    expect(toggle).toHaveAttribute("aria-expanded", "false");

    await userEvent.click(toggle);

    expect(await screen.findByText("Production (AUC 0.641)")).toBeInTheDocument();
    expect(screen.getByText("New model (AUC 0.662)")).toBeInTheDocument();
    expect(api.calls).toContainEqual({ call: "roc", batch: 3 });
    expect(container.querySelectorAll("path.recharts-line-curve")).toHaveLength(2);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
  });

  it("draws every point of the curve the API sent, without thinning it", async () => {
    const api = new FixtureApi();
    const fpr = Array.from({ length: 450 }, (_, index) => index / 449);
    api.rocData.set(3, { batch: 3, production: { fpr, tpr: fpr, auc: 0.5 }, new: null });
    const { container } = renderWithApi(
      <BatchCard result={batchFixture(3)} threshold={THRESHOLD} />,
      api,
    );
    await userEvent.click(screen.getByRole("button", { name: /show roc curve/i }));
    await screen.findByText("Production (AUC 0.500)");
    const path = container.querySelector("path.recharts-line-curve")?.getAttribute("d") ?? "";
    expect(path.match(/[ML]/g)).toHaveLength(450);
  });

  it("says so when a batch has no ROC curve (404)", async () => {
    const api = new FixtureApi();
    renderWithApi(<BatchCard result={batchFixture(1)} threshold={THRESHOLD} />, api);
    await userEvent.click(screen.getByRole("button", { name: /show roc curve/i }));
    expect(await screen.findByText("ROC curve not available for this batch.")).toBeInTheDocument();
  });

  it("says so when the curves are empty", async () => {
    const api = new FixtureApi();
    api.rocData.set(2, { batch: 2, production: { fpr: [], tpr: [], auc: null }, new: null });
    renderWithApi(<BatchCard result={batchFixture(2)} threshold={THRESHOLD} />, api);
    await userEvent.click(screen.getByRole("button", { name: /show roc curve/i }));
    expect(await screen.findByText("ROC curve not available for this batch.")).toBeInTheDocument();
  });

  it("renders a batch without a gate run with dashes and says why", () => {
    const result = {
      ...batchFixture(2),
      decision: null,
      retrained: null,
      deployed: null,
      production: null,
    };
    renderWithApi(<BatchCard result={result} threshold={THRESHOLD} />);
    expect(screen.getByText("No Gate Result")).toBeInTheDocument();
    const production = screen.getByRole("region", { name: "Production model" });
    expect(within(production).getAllByText("—")).toHaveLength(4);
  });

  it("shows strings from MLflow as text, never as markup or script links", () => {
    const attack = '<img src=x onerror="window.__xss=1">';
    const drift = batchFixture(3).drift;
    if (!drift) throw new Error("fixture batch 3 has drift");
    const result = {
      ...batchFixture(3),
      decision: null,
      raw_decision: attack,
      mlflow_url: "javascript:window.__xss=1",
      drift: {
        ...drift,
        drifted_columns: [{ column: "<script>window.__xss=1</script>" }],
      },
    };
    const { container } = renderWithApi(<BatchCard result={result} threshold={THRESHOLD} />);
    expect(screen.getByText(attack)).toBeInTheDocument();
    expect(screen.getByText("<script>window.__xss=1</script>")).toBeInTheDocument();
    expect(container.querySelector("img, script")).toBeNull();
    expect(screen.queryByRole("link", { name: /open in mlflow/i })).not.toBeInTheDocument();
  });

  it("links the run in MLflow when the API gives an http URL", () => {
    renderWithApi(<BatchCard result={batchFixture(0)} threshold={THRESHOLD} />);
    expect(screen.getByRole("link", { name: /open in mlflow/i })).toHaveAttribute(
      "href",
      "http://127.0.0.1:5000/#/experiments/2/runs/gate-0",
    );
  });
});

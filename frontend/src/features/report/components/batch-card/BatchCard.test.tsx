import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { EVIDENCE_BATCHES } from "../../../../test/evidenceFixtures";
import { FixtureApi, batchFixture, drift } from "../../../../test/fixtures";
import { renderWithApi } from "../../../../test/render";
import { BatchCard } from "./BatchCard";

describe("BatchCard", () => {
  it("explains batch 0 as the baseline of the model it captured, without a drift section", () => {
    renderWithApi(<BatchCard result={batchFixture(0)} />);
    expect(screen.getByRole("heading", { level: 3, name: "Batch 0" })).toBeInTheDocument();
    expect(
      screen.getByText("Baseline: Production model version 1 on the initial test set"),
    ).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Production model" })).toHaveTextContent(
      "version 1, on initial_test",
    );
    expect(screen.getByText("Baseline")).toHaveClass("badge--baseline");
    expect(screen.queryByText("Drift share")).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "New model" })).not.toBeInTheDocument();
  });

  it("follows the API's decision, not the batch number, to tell the baseline", () => {
    // Batch 0 without a gate run: no baseline decision, so a drift section, saying nothing was
    // measured (no "— of 0" columns).
    const { container, unmount } = renderWithApi(
      <BatchCard result={{ ...batchFixture(0), decision: null, quality_gate_run_id: null }} />,
    );
    expect(container).not.toHaveTextContent(/^Baseline:/);
    expect(screen.getByText("No drift was measured for this batch.")).toBeInTheDocument();
    expect(container).not.toHaveTextContent("of 0");
    unmount();
    // A baseline decision on another batch number is still shown as the baseline, with no net
    // effect even where the API sends its zeros (as it does for the baseline).
    const baseline = EVIDENCE_BATCHES[0];
    if (!baseline) throw new Error("the evidence fixture has batch 0");
    const zero = { delta: 0, ci_low: 0, ci_high: 0 };
    renderWithApi(<BatchCard result={{ ...baseline, batch: 7, net_effect: zero }} />);
    expect(screen.getByRole("heading", { level: 3, name: "Batch 7" })).toBeInTheDocument();
    expect(
      screen.getByText("Baseline: Production model version 1 on the initial test set"),
    ).toBeInTheDocument();
    expect(screen.queryByText("Drift share")).not.toBeInTheDocument();
    expect(screen.getByText("Readmitted (positive rate)")).toBeInTheDocument();
    expect(screen.queryByText(/net effect/i)).not.toBeInTheDocument();
    expect(screen.queryByText(/initial test set:/)).not.toBeInTheDocument();
  });

  it("never says 'the first model' when batch 0 captured a later Production version", () => {
    const result = batchFixture(0);
    if (!result.production) throw new Error("fixture batch 0 has scores");
    result.production.version = "4";
    const { container } = renderWithApi(<BatchCard result={result} />);
    expect(container).toHaveTextContent("Production model version 4 on the initial test set");
    expect(container).not.toHaveTextContent(/first model/i);
  });

  it("names the model version of every score card", () => {
    renderWithApi(<BatchCard result={batchFixture(4)} />);
    expect(screen.getByRole("region", { name: "Production model" })).toHaveTextContent(
      "version 2, on batch_4_test",
    );
    expect(screen.getByRole("region", { name: "New model" })).toHaveTextContent(
      "version 3, on batch_4_test",
    );
  });

  it("says what the batch is, as the pipeline logged it, and nothing where it did not", () => {
    const drift = batchFixture(3).drift;
    if (!drift) throw new Error("fixture batch 3 has drift");
    const described = {
      ...batchFixture(3),
      drift: { ...drift, profile_description: "later encounters, older and sicker patients" },
    };
    const { unmount } = renderWithApi(<BatchCard result={described} />);
    expect(
      screen.getByText("What arrived: later encounters, older and sicker patients"),
    ).toBeInTheDocument();
    unmount();
    renderWithApi(<BatchCard result={batchFixture(3)} />);
    expect(screen.queryByText(/what arrived/i)).not.toBeInTheDocument();
  });

  it("shows the pipeline's verdict and the columns that drifted", () => {
    renderWithApi(<BatchCard result={batchFixture(3)} />);
    expect(screen.getByText("0.35")).toBeInTheDocument();
    expect(
      screen.getByText(
        "Retraining triggered by drift (drift share 0.35 at or above the 0.30 threshold).",
      ),
    ).toBeInTheDocument();
    expect(screen.getByText("5 of 40")).toBeInTheDocument();
    const chips = screen.getAllByRole("listitem").map((item) => item.textContent);
    expect(chips).toEqual(["age", "race", "gender", "number_inpatient", "num_medications"]);
  });

  it("says a forced retrain was forced, with the share below that run's threshold", () => {
    const result = {
      ...batchFixture(3),
      drift: drift(0.02, ["age"], "forced", 0.4),
    };
    const { container } = renderWithApi(<BatchCard result={result} />);
    const verdict = screen.getByText(
      "Retraining forced (drift share 0.02 below the 0.40 threshold).",
    );
    expect(verdict).toHaveAttribute("data-tone", "forced");
    expect(container).not.toHaveTextContent(/triggered by drift|enough columns drifted/i);
  });

  it("follows the API's verdict even where share and threshold would say otherwise", () => {
    // 0.35 is above 0.30, yet the pipeline logged no retraining: the card must follow the log.
    const result = { ...batchFixture(3), drift: drift(0.35, ["age"], "none") };
    renderWithApi(<BatchCard result={result} />);
    expect(
      screen.getByText("No retraining (drift share 0.35 below the 0.30 threshold)."),
    ).toHaveAttribute("data-tone", "quiet");
  });

  it("says when the verdict was derived by the API for a store that did not log it", () => {
    const derived = { ...drift(0.35, ["age"], "drift"), trigger_logged: false };
    renderWithApi(<BatchCard result={{ ...batchFixture(3), drift: derived }} />);
    expect(screen.getByText(/this run did not log the verdict/i)).toBeInTheDocument();
  });

  it("shows the decision from the API with its meaning, even when metrics look otherwise", () => {
    // AUC improved, yet the API says SKIP: the card must follow the API, not re-derive it.
    const result = { ...batchFixture(5), auc_improvement: 0.05 };
    renderWithApi(<BatchCard result={result} />);
    expect(screen.getByText("SKIP")).toBeInTheDocument();
    expect(screen.getByText("Retrained → kept Production")).toHaveClass("badge--kept");
    expect(screen.getByText(/the quality gate kept the Production model/)).toBeInTheDocument();
    expect(screen.getByText(/Production model unchanged/)).toBeInTheDocument();
  });

  it("shows the new model's scores with signed deltas against Production", () => {
    renderWithApi(<BatchCard result={batchFixture(4)} />);
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
    const { container } = renderWithApi(<BatchCard result={batchFixture(3)} />, api);
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
    const { container } = renderWithApi(<BatchCard result={batchFixture(3)} />, api);
    await userEvent.click(screen.getByRole("button", { name: /show roc curve/i }));
    await screen.findByText("Production (AUC 0.500)");
    const path = container.querySelector("path.recharts-line-curve")?.getAttribute("d") ?? "";
    expect(path.match(/[ML]/g)).toHaveLength(450);
  });

  it("says so when a batch has no ROC curve (404)", async () => {
    const api = new FixtureApi();
    renderWithApi(<BatchCard result={batchFixture(1)} />, api);
    await userEvent.click(screen.getByRole("button", { name: /show roc curve/i }));
    expect(await screen.findByText("ROC curve not available for this batch.")).toBeInTheDocument();
  });

  it("says so when the curves are empty", async () => {
    const api = new FixtureApi();
    api.rocData.set(2, { batch: 2, production: { fpr: [], tpr: [], auc: null }, new: null });
    renderWithApi(<BatchCard result={batchFixture(2)} />, api);
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
    renderWithApi(<BatchCard result={result} />);
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
    const { container } = renderWithApi(<BatchCard result={result} />);
    expect(screen.getByText(attack)).toBeInTheDocument();
    expect(screen.getByText("<script>window.__xss=1</script>")).toBeInTheDocument();
    expect(container.querySelector("img, script")).toBeNull();
    expect(screen.queryByRole("link", { name: /open in mlflow/i })).not.toBeInTheDocument();
  });

  it("links the run in MLflow when the API gives an http URL", () => {
    renderWithApi(<BatchCard result={batchFixture(0)} />);
    expect(screen.getByRole("link", { name: /open in mlflow/i })).toHaveAttribute(
      "href",
      "http://127.0.0.1:5000/#/experiments/2/runs/gate-0",
    );
  });
});

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiError } from "../../api/client";
import { App } from "../../app/App";
import { FixtureApi, SUMMARY } from "../../test/fixtures";
import { renderWithApi } from "../../test/render";

async function renderReport(api = new FixtureApi()) {
  const view = renderWithApi(<App />, api);
  return view;
}

describe("ReportPage", () => {
  it("shows skeletons while loading, then every section in heading order", async () => {
    const { container } = await renderReport();
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    await screen.findByRole("heading", { level: 2, name: "Experiment summary" });

    const headings = Array.from(container.querySelectorAll("h1, h2, h3"));
    const levels = headings.map((heading) => Number(heading.tagName.slice(1)));
    expect(levels[0]).toBe(1);
    levels.forEach((level, index) => {
      if (index > 0) expect(level).toBeLessThanOrEqual((levels[index - 1] ?? 1) + 1);
    });
    const h2 = headings.filter((h) => h.tagName === "H2").map((h) => h.textContent);
    expect(h2).toEqual([
      "Bottom line",
      "Experiment summary",
      "Did retraining help?",
      "What other policies would have done",
      "Batch by batch",
      "Final summary",
      "Glossary",
      "Provenance",
      "Data sources",
    ]);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent(SUMMARY.title);
    expect(container.querySelectorAll("article.batch-card")).toHaveLength(6);
  });

  it("puts the API's bottom line under the key figures, sentence by sentence", async () => {
    await renderReport();
    const bottom = await screen.findByRole("region", { name: "Bottom line" });
    for (const sentence of SUMMARY.bottom_line ?? [])
      expect(within(bottom).getByText(sentence)).toBeInTheDocument();
    expect(bottom).toHaveTextContent("no better than chance");
  });

  it("titles the page with the API's report title, in the heading and the tab", async () => {
    const api = new FixtureApi();
    api.summaryData = { ...api.summaryData, title: "Health Predict: a title from /summary" };
    await renderReport(api);
    expect(
      await screen.findByRole("heading", {
        level: 1,
        name: "Health Predict: a title from /summary",
      }),
    ).toBeInTheDocument();
    expect(document.title).toBe("Health Predict: a title from /summary");
  });

  it("says what is predicted, at which cut-off, and where the batches come from", async () => {
    const { container } = await renderReport();
    await screen.findByRole("heading", { level: 2, name: "Batch by batch" });
    expect(container).toHaveTextContent(/the target is any readmission/i);
    expect(container).toHaveTextContent(/not the usual 30-day readmission/);
    expect(container).toHaveTextContent(/0\.5 probability cut-off/);
    expect(container).toHaveTextContent(/constructed from later real encounters/);
  });

  it("shows the three key figures from the summary", async () => {
    await renderReport();
    const figures = await screen.findByLabelText("Key figures");
    expect(within(figures).getByText("v3")).toBeInTheDocument();
    expect(figures).toHaveTextContent("HealthPredictModel · AUC 0.648 (interval not recorded)");
    expect(within(figures).getByText("Retraining Events").nextElementSibling).toHaveTextContent(
      "3",
    );
  });

  it("ends with start and final AUC, the retraining count and the API's takeaway", async () => {
    await renderReport();
    const final = (await screen.findByRole("heading", { name: "Final summary" })).closest(
      "section",
    ) as HTMLElement;
    expect(within(final).getByText("0.681")).toBeInTheDocument();
    expect(within(final).getByText("0.630")).toBeInTheDocument();
    expect(final).toHaveTextContent("3 of 5 batches triggered retraining.");
    expect(final).toHaveTextContent(
      "Drift triggered retraining in 3 of 5 batches; the gate kept Production once.",
    );
  });

  it("offers Retry when the API is unreachable, and recovers", async () => {
    const api = new FixtureApi();
    api.failing.add("summary");
    await renderReport(api);
    expect(
      await screen.findByRole("heading", { name: "The report API is unreachable" }),
    ).toBeInTheDocument();
    api.failing.delete("summary");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("heading", { name: "Experiment summary" })).toBeInTheDocument();
  });

  it("tells an API error (MLflow down) apart from an unreachable API", async () => {
    const api = new FixtureApi();
    api.summary = () =>
      Promise.reject(new ApiError("GET /summary failed: HTTP 503 — MLflow down", 503));
    await renderReport(api);
    expect(
      await screen.findByRole("heading", { name: "The report could not be loaded" }),
    ).toBeInTheDocument();
    expect(screen.getByText("GET /summary failed: HTTP 503 — MLflow down")).toBeInTheDocument();
  });

  it("says what to run when the store is empty", async () => {
    const api = new FixtureApi();
    api.batchesData = { drift_threshold: 0.3, batches: [], stale: false };
    api.summaryData = {
      ...api.summaryData,
      has_baseline: false,
      production_model: null,
      batches_processed: 0,
      total_batches: 0,
    };
    await renderReport(api);
    expect(
      await screen.findByRole("heading", { name: "No experiment results yet" }),
    ).toBeInTheDocument();
    expect(screen.getByText("make demo")).toBeInTheDocument();
    expect(screen.getByText("healthpredict experiment run")).toBeInTheDocument();
  });

  it("warns when the API serves its last good read", async () => {
    const api = new FixtureApi();
    api.batchesData = { ...api.batchesData, stale: true };
    await renderReport(api);
    expect(await screen.findByText("Showing the last good read.")).toBeInTheDocument();
  });

  it("puts the baseline command and button where batch 0 is missing", async () => {
    const api = new FixtureApi();
    api.summaryData = { ...api.summaryData, has_baseline: false };
    api.batchesData = {
      ...api.batchesData,
      batches: api.batchesData.batches.filter((result) => result.batch !== 0),
    };
    await renderReport(api);
    await screen.findByRole("heading", { name: "Batch 0 — baseline missing" });
    expect(await screen.findByText("python -m baseline")).toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Capture the baseline now" }));
    expect(await screen.findByText("Baseline captured: model version 1.")).toBeInTheDocument();
    expect(api.count("createBaseline")).toBe(1);
  });

  it("hides the baseline button when the API would refuse this client", async () => {
    const api = new FixtureApi();
    api.summaryData = { ...api.summaryData, has_baseline: false };
    api.configData = { ...api.configData, baseline_allowed: false };
    await renderReport(api);
    expect(await screen.findByText("python -m baseline")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /capture the baseline/i })).toBeNull();
  });
});

describe("Sidebar", () => {
  it("shows where the data comes from and links MLflow, but Airflow only when configured", async () => {
    const api = new FixtureApi();
    await renderReport(api);
    const menu = screen.getByRole("complementary");
    expect(await within(menu).findByText("sqlite:///tmp/mlflow.db")).toBeInTheDocument();
    expect(within(menu).getByText("http://127.0.0.1:8000")).toBeInTheDocument();
    expect(within(menu).getByRole("link", { name: /mlflow ui/i })).toHaveAttribute(
      "href",
      "http://127.0.0.1:5000/",
    );
    expect(within(menu).queryByRole("link", { name: /airflow/i })).toBeNull();
  });

  it("lets a long tracking URI wrap between its parts, never inside a word", async () => {
    const api = new FixtureApi();
    api.configData = {
      ...api.configData,
      mlflow_tracking_uri: "sqlite:////home/reader/healthpredict/state/mlflow.db",
    };
    await renderReport(api);
    const menu = screen.getByRole("complementary");
    const uri = await within(menu).findByText(
      (_, node) =>
        node?.tagName === "DD" &&
        node.textContent === "sqlite:////home/reader/healthpredict/state/mlflow.db",
    );
    const parts = Array.from(uri.childNodes).map((node) =>
      node.nodeName === "WBR" ? "|" : node.textContent,
    );
    expect(parts.join("")).toBe("sqlite:|/|/|/|/|home/|reader/|healthpredict/|state/|mlflow.|db");
  });

  it("links Airflow when the API names it", async () => {
    const api = new FixtureApi();
    api.configData = { ...api.configData, airflow_ui_url: "http://127.0.0.1:8080" };
    await renderReport(api);
    const menu = screen.getByRole("complementary");
    expect(await within(menu).findByRole("link", { name: /airflow ui/i })).toBeInTheDocument();
  });

  it("refreshes the API's cache and then fetches the report again", async () => {
    const api = new FixtureApi();
    await renderReport(api);
    await screen.findByRole("heading", { name: "Experiment summary" });
    const before = api.count("batches");
    api.summaryData = { ...api.summaryData, takeaway: "A fresh takeaway." };

    await userEvent.click(screen.getByRole("button", { name: "Refresh data" }));

    expect(await screen.findByText("A fresh takeaway.")).toBeInTheDocument();
    expect(api.count("refresh")).toBe(1);
    await waitFor(() => expect(api.count("batches")).toBeGreaterThan(before));
    const refreshIndex = api.calls.findIndex((entry) => entry.call === "refresh");
    expect(api.calls.slice(refreshIndex).some((entry) => entry.call === "summary")).toBe(true);
  });
});

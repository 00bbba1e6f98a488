import { render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { createEmbeddedApi } from "../api/client";
import { BATCHES_RESPONSE, CONFIG, FixtureApi, PROVENANCE, ROC, SUMMARY } from "../test/fixtures";
import { CHART_WIDTH, renderWithApi } from "../test/render";
import { App } from "./App";
import { AppProviders } from "./AppProviders";
import { createQueryClient } from "./queryClient";

function renderExported(generatedAt: string | null = null) {
  const responses = new Map<string, unknown>([
    ["/summary", SUMMARY],
    ["/batches", BATCHES_RESPONSE],
    ["/config", { ...CONFIG, baseline_allowed: false }],
    ["/provenance", PROVENANCE],
    ["/roc/3", ROC],
  ]);
  return render(
    <AppProviders
      api={createEmbeddedApi({ generatedAt, responses })}
      queryClient={createQueryClient({ retry: false })}
      chartWidth={CHART_WIDTH}
    >
      <App />
    </AppProviders>,
  );
}

describe("the exported report", () => {
  it("opens every batch's ROC panel and draws the curves it holds", async () => {
    const { container } = renderExported();
    await waitFor(
      () =>
        expect(
          container.querySelector('figure[aria-label^="ROC curves for batch 3:"]'),
        ).not.toBeNull(),
      { timeout: 10_000 },
    );
    expect(container.querySelectorAll(".roc-chart")).toHaveLength(1);
    const toggles = screen.getAllByRole("button", { name: /hide roc curve/i });
    expect(toggles).toHaveLength(BATCHES_RESPONSE.batches.length);
    expect(container.querySelectorAll(".roc-region[hidden]")).toHaveLength(0);
    // Batches without curves in the file say so instead of loading forever.
    expect(await screen.findAllByText("ROC curve not available for this batch.")).toHaveLength(
      BATCHES_RESPONSE.batches.length - 1,
    );
  });

  it("offers no refresh or download, and says where its data lives", async () => {
    renderExported("2026-11-27T10:00:00");
    const menu = screen.getByRole("complementary");
    expect(within(menu).queryByRole("button", { name: /refresh/i })).toBeNull();
    expect(within(menu).queryByRole("link", { name: /download report/i })).toBeNull();
    expect(menu).toHaveTextContent("none: data embedded in this file");
    const footer = (await screen.findByRole("heading", { name: "Provenance" })).closest("footer");
    expect(footer).toHaveTextContent(
      "Exported report: the data below is embedded in this file, generated 2026-11-27T10:00:00.",
    );
  });
});

describe("the provenance footer on the live page", () => {
  it("shows the stamp the API gives, with run links, and a download entry in the menu", async () => {
    renderWithApi(<App />, new FixtureApi());
    const footer = (await screen.findByRole("heading", { name: "Provenance" })).closest(
      "footer",
    ) as HTMLElement;
    await within(footer).findByText(PROVENANCE.tracking_uri);
    expect(footer).toHaveTextContent("HealthPredictModel, Production version 3");
    expect(footer).toHaveTextContent(PROVENANCE.data_sha256[0] ?? "");
    expect(footer).toHaveTextContent("healthpredict 0.1.0 · commit 0123456789ab");
    const gate = within(footer).getByRole("link", { name: "gate-0" });
    expect(gate).toHaveAttribute("href", PROVENANCE.batches[0]?.quality_gate_run_url);
    expect(footer.querySelectorAll("tbody tr")).toHaveLength(PROVENANCE.batches.length);

    const download = screen.getByRole("link", { name: "Download report" });
    expect(download).toHaveAttribute("href", "http://127.0.0.1:8000/export");
  });

  it("links each batch's Airflow DAG run when the runs were written under Airflow", async () => {
    const api = new FixtureApi();
    const dagRun = "manual__2026-01-01T00:00:00+00:00";
    const url = "http://airflow.example/dags/health_predict_continuous_improvement/runs/x";
    api.provenanceData = {
      ...PROVENANCE,
      batches: PROVENANCE.batches.map((row) => ({
        ...row,
        airflow_dag_run_id: dagRun,
        airflow_dag_run_url: row.batch === 0 ? url : null,
      })),
    };
    renderWithApi(<App />, api);
    const footer = (await screen.findByRole("heading", { name: "Provenance" })).closest(
      "footer",
    ) as HTMLElement;
    await within(footer).findByRole("columnheader", { name: "Airflow DAG run" });
    const links = within(footer).getAllByRole("link", { name: dagRun });
    expect(links.map((link) => link.getAttribute("href"))).toEqual([url]);
    expect(within(footer).getAllByText(dagRun)).toHaveLength(PROVENANCE.batches.length);
  });

  it("has no Airflow column when no run was written under Airflow", async () => {
    renderWithApi(<App />, new FixtureApi());
    const footer = (await screen.findByRole("heading", { name: "Provenance" })).closest(
      "footer",
    ) as HTMLElement;
    await within(footer).findByText(PROVENANCE.tracking_uri);
    expect(within(footer).queryByRole("columnheader", { name: "Airflow DAG run" })).toBeNull();
  });
});

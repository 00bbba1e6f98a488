import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import {
  EVIDENCE_BATCHES_RESPONSE,
  EVIDENCE_SUMMARY,
  TAKEAWAY,
} from "../../../../test/evidenceFixtures";
import { FixtureApi } from "../../../../test/fixtures";
import { renderWithApi } from "../../../../test/render";
import { ReportPage } from "../../ReportPage";

// The whole page renders in each test: allow for a slow, shared machine.
const LOAD_TIMEOUT_MS = 8000;

function evidenceApi(): FixtureApi {
  const api = new FixtureApi();
  api.batchesData = structuredClone(EVIDENCE_BATCHES_RESPONSE);
  api.summaryData = structuredClone(EVIDENCE_SUMMARY);
  return api;
}

async function card(batch: number): Promise<HTMLElement> {
  const heading = await screen.findByRole(
    "heading",
    { level: 3, name: `Batch ${batch}` },
    { timeout: LOAD_TIMEOUT_MS },
  );
  return heading.closest("article") as HTMLElement;
}

describe("evidence on the report", { timeout: 20_000 }, () => {
  it("gives every AUC on the page its interval when the run recorded them", async () => {
    const { container } = renderWithApi(<ReportPage />, evidenceApi());
    await card(5);
    const aucs = Array.from(container.querySelectorAll("[data-auc]"));
    expect(aucs.length).toBeGreaterThan(20);
    for (const auc of aucs) expect(auc.getAttribute("data-auc-interval")).toMatch(/^95% CI /);
    expect(container.textContent).not.toContain("interval not recorded");
  });

  it("shows the gate's difference with its interval and the verdict in words", async () => {
    renderWithApi(<ReportPage />, evidenceApi());
    const batch3 = await card(3);
    expect(
      within(batch3).getByText(
        "+0.004 (95% CI −0.013 to +0.021), p 0.600, Holm-adjusted 0.800 over 3 comparisons: inconclusive",
      ),
    ).toBeVisible();
    expect(batch3).toHaveTextContent("Never-retrained model (v1)AUC 0.641 (95% CI 0.616 to 0.666)");
    const batch1 = await card(1);
    expect(batch1).toHaveTextContent("Missed alarm.");
    expect(batch1).toHaveTextContent("42.0% (initial test set: 40.0%)");
  });

  it("answers 'Did retraining help?' with the backend's sentence under the chart", async () => {
    renderWithApi(<ReportPage />, evidenceApi());
    const heading = await screen.findByRole("heading", { level: 2, name: "Did retraining help?" });
    const section = heading.closest("section") as HTMLElement;
    expect(within(section).getByText(TAKEAWAY)).toBeVisible();
    const figure = section.querySelector("figure.retraining-effect") as HTMLElement;
    // one whisker per model and batch: 3 models x 6 batches (batch 0-2 all on the same models)
    expect(figure.querySelectorAll(".recharts-errorBar").length).toBeGreaterThanOrEqual(18);
    // its text equivalent: a row per batch with the three AUCs and their intervals
    const table = within(figure).getByRole("table", { name: /AUC per batch of the three models/ });
    expect(figure).toHaveAttribute("aria-describedby", "retraining-effect-table");
    expect(within(table).getAllByRole("row")).toHaveLength(1 + 6);
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(/95% CI/);
  });

  it("says in one line per section what a run without evidence did not record", async () => {
    const { container } = renderWithApi(<ReportPage />);
    const section = (
      await screen.findByRole("heading", { level: 2, name: "Did retraining help?" })
    ).closest("section") as HTMLElement;
    expect(section).toHaveTextContent("The run did not record the never-retrained model");
    expect(section.querySelector("figure")).toBeNull();
    expect(await card(3)).toHaveTextContent(
      "The run did not record the never-retrained model, intervals or calibration",
    );
    expect(container.querySelector('[data-chance-band="missing"]')).toHaveTextContent(
      "The run did not record the drift share expected by chance.",
    );
  });

  it("shades the chance band with a legend entry", async () => {
    const { container } = renderWithApi(<ReportPage />, evidenceApi());
    await card(5);
    expect(container.querySelector('[data-chance-band="recorded"]')).toHaveTextContent(
      "expected by chance: 200 samples of the training period against the rest of it " +
        "(median 0.00, 95th percentile 0.02, largest 0.05)",
    );
    expect(container.querySelectorAll(".chance-band").length).toBe(5);
  });

  it("names an older store's band for what it is: drift one period later, never chance", async () => {
    const api = evidenceApi();
    api.batchesData.batches = api.batchesData.batches.map((result) =>
      result.drift?.chance_band
        ? {
            ...result,
            drift: {
              ...result.drift,
              chance_band: { kind: "later_period", p50: 0.12, p95: 0.15, samples: 30 },
            },
          }
        : result,
    );
    const { container } = renderWithApi(<ReportPage />, api);
    await card(5);
    const legend = container.querySelector('[data-chance-band="later-period"]');
    expect(legend).toHaveTextContent(
      "drift one period later in the reference data, not chance (median 0.12, 95th percentile 0.15)",
    );
    expect(legend).not.toHaveTextContent("expected by chance");
  });

  it("reads calibration against what a perfectly calibrated model shows, and a quiet alarm with its power", async () => {
    const api = evidenceApi();
    const third = api.batchesData.batches.find((r) => r.batch === 3);
    if (third?.new?.calibration) {
      third.new.calibration = {
        ...third.new.calibration,
        slope: 1.5,
        slope_ci_low: 1.3,
        slope_ci_high: 1.7,
        verdict: "under_confident",
      };
    }
    renderWithApi(<ReportPage />, api);
    const batch3 = await card(3);
    const table = within(batch3).getByRole("table", { name: /Calibration/ });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent(
      "0.030perfect: up to 0.0600.93095% CI 0.800 to 1.060within what perfect calibration shows",
    );
    expect(within(table).getByRole("row", { name: /New model/ })).toHaveTextContent(
      "under-confident (slope above 1)",
    );
    expect(batch3.querySelector("[data-detectable]")).toHaveTextContent(
      "The smallest drop this comparison detects 80 times in 100: 0.057.",
    );
  });

  it("draws Production's estimate before the labels as a fourth series when recorded", async () => {
    const api = evidenceApi();
    for (const result of api.batchesData.batches) {
      if (result.production && result.batch > 0) {
        const auc = result.production.auc ?? 0.6;
        result.production.estimated = {
          auc: auc + 0.01,
          ci_low: auc,
          ci_high: auc + 0.02,
          error: 0.01,
          missed: false,
        };
      }
    }
    renderWithApi(<ReportPage />, api);
    const heading = await screen.findByRole("heading", { level: 2, name: "Did retraining help?" });
    const figure = (heading.closest("section") as HTMLElement).querySelector(
      "figure.retraining-effect",
    ) as HTMLElement;
    expect(figure).toHaveTextContent("Production, estimated before the labels");
    const table = within(figure).getByRole("table", { name: /AUC per batch of the three models/ });
    expect(within(table).getAllByRole("columnheader")).toHaveLength(5);
  });

  it("fetches the reliability diagram only once opened", async () => {
    const api = evidenceApi();
    api.calibrationData.set(3, {
      batch: 3,
      production: {
        bins: [{ mean_predicted: 0.1, observed: 0.12, count: 50 }],
        brier: 0.2,
        ece: 0.02,
      },
      new: null,
      initial: null,
    });
    renderWithApi(<ReportPage />, api);
    const batch3 = await card(3);
    expect(within(batch3).getByRole("table", { name: /Calibration/ })).toHaveTextContent(
      "New model0.2100.010perfect: up to 0.0600.93095% CI 0.800 to 1.060",
    );
    expect(api.count("calibration")).toBe(0);
    await userEvent.click(within(batch3).getByRole("button", { name: "Show reliability diagram" }));
    expect(
      await within(batch3).findByRole("figure", {
        name: /^Reliability, batch 3: observed against predicted/,
      }),
    ).toBeVisible();
    expect(api.calls).toContainEqual({ call: "calibration", batch: 3 });
  });

  it("never shows a deployment worse than chance as a success", async () => {
    const api = evidenceApi();
    const batch3 = api.batchesData.batches[3];
    if (!batch3?.new) throw new Error("fixture batch 3 has no candidate");
    batch3.new = {
      ...batch3.new,
      auc: 0.45,
      auc_ci_low: 0.42,
      auc_ci_high: 0.48,
      worse_than_chance: true,
    };
    batch3.deployed_worse_than_chance = true;
    renderWithApi(<ReportPage />, api);
    const article = await card(3);
    expect(article).toHaveTextContent("0.450 (95% CI 0.420 to 0.480) · worse than chance");
    expect(article).toHaveTextContent("this deployment is not a success");
    expect(article.querySelector(".score-cards--no-success")).not.toBeNull();
  });

  it("compares the last batch like with like in the final summary", async () => {
    renderWithApi(<ReportPage />, evidenceApi());
    const final = (await screen.findByRole("heading", { name: "Final summary" })).closest(
      "section",
    ) as HTMLElement;
    expect(final).toHaveTextContent(
      "Start: batch 0, a different test set0.681 (95% CI 0.656 to 0.706)on initial_test",
    );
    expect(final).toHaveTextContent("Batch 5: never-retrained model0.600 (95% CI 0.575 to 0.625)");
    expect(final).toHaveTextContent(
      "Net effect of retraining on batch 5: +0.030 (95% CI +0.010 to +0.050).",
    );
  });
});

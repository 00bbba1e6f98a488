import { afterEach, describe, expect, it, vi } from "vitest";

import { BATCHES_RESPONSE, ROC, SUMMARY } from "../test/fixtures";
import { ApiError, createEmbeddedApi } from "./client";
import { EMBEDDED_DATA_ID, readEmbeddedReport } from "./embedded";

const HOSTILE = '</script><img src=x onerror="alert(1)">&amp;<!--';

/** The data element as backend/export.py writes it: `<`, `>` and `&` escaped in the JSON. */
function embed(document: unknown): Document {
  const text = JSON.stringify(document)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026");
  const doc = new DOMParser().parseFromString(
    `<!doctype html><html><head><script type="application/json" id="${EMBEDDED_DATA_ID}">${text}</script></head><body></body></html>`,
    "text/html",
  );
  return doc;
}

const RESPONSES = {
  "/summary": { ...SUMMARY, takeaway: HOSTILE },
  "/batches": BATCHES_RESPONSE,
  "/roc/3": ROC,
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the embedded report", () => {
  it("is absent on the live page", () => {
    expect(readEmbeddedReport(new DOMParser().parseFromString("<p>x</p>", "text/html"))).toBe(null);
  });

  it("reads back text holding </script> and HTML exactly, from one data element", () => {
    const doc = embed({ format: 1, generated_at: null, responses: RESPONSES });
    expect(doc.querySelectorAll("script")).toHaveLength(1);
    expect(doc.querySelector("img")).toBeNull();
    const report = readEmbeddedReport(doc);
    expect(report?.generatedAt).toBeNull();
    expect((report?.responses.get("/summary") as { takeaway: string }).takeaway).toBe(HOSTILE);
  });

  it("refuses data of another format with a message that says so", () => {
    expect(() => readEmbeddedReport(embed({ format: 2, responses: {} }))).toThrow(
      "the embedded report data is not format 1",
    );
  });

  it("answers the typed client from the data, without the network", async () => {
    const network = vi.spyOn(globalThis, "fetch");
    const doc = embed({ format: 1, generated_at: "2026-11-27T10:00:00", responses: RESPONSES });
    const report = readEmbeddedReport(doc);
    if (!report) throw new Error("no report");
    const api = createEmbeddedApi(report);

    expect(api.embedded).toEqual({ generatedAt: "2026-11-27T10:00:00" });
    expect(api.exportUrl).toBeUndefined();
    await expect(api.summary()).resolves.toEqual(RESPONSES["/summary"]);
    await expect(api.batches()).resolves.toEqual(BATCHES_RESPONSE);
    await expect(api.roc(3)).resolves.toEqual(ROC);
    // A batch the export holds no curve for reads as the API's 404: no curve.
    await expect(api.roc(1)).resolves.toBeNull();
    const missing = api.config();
    await expect(missing).rejects.toBeInstanceOf(ApiError);
    await expect(missing).rejects.toMatchObject({ status: 404 });
    // An exported file cannot change the store.
    await expect(api.refresh()).rejects.toMatchObject({ status: 405 });
    expect(network).not.toHaveBeenCalled();
  });
});

/**
 * The exported report (`healthpredict report export`, `GET /export`) carries the API's answers in
 * one `<script type="application/json">` element: a map from API path to JSON body. Here the page
 * finds that element and answers the typed client's requests from it, so the same components run
 * on the live API and from a file opened offline; nothing in this mode touches the network.
 */

/** The id of the data element; backend/export.py writes it. */
export const EMBEDDED_DATA_ID = "healthpredict-report-data";
const FORMAT_VERSION = 1;

export interface EmbeddedReport {
  /** When the file was generated, only if the exporter was given the time. */
  generatedAt: string | null;
  /** API path (`/summary`, `/roc/3`) to the JSON body the API answered. */
  responses: ReadonlyMap<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The embedded report of this document, or null when the page runs against a live API. */
export function readEmbeddedReport(doc: Document = document): EmbeddedReport | null {
  const element = doc.getElementById(EMBEDDED_DATA_ID);
  if (!element) return null;
  const parsed: unknown = JSON.parse(element.textContent ?? "");
  if (!isRecord(parsed) || parsed.format !== FORMAT_VERSION || !isRecord(parsed.responses)) {
    throw new Error(`the embedded report data is not format ${FORMAT_VERSION}`);
  }
  const generatedAt = typeof parsed.generated_at === "string" ? parsed.generated_at : null;
  return { generatedAt, responses: new Map(Object.entries(parsed.responses)) };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/**
 * A `fetch` for the typed client that answers GETs from the embedded responses: a path the
 * export holds gets 200 and its body, any other path 404 (as the API answers a batch without
 * data), and anything but GET 405, since an exported file cannot change the store.
 */
export function embeddedFetch(report: EmbeddedReport): (request: Request) => Promise<Response> {
  return (request) => {
    const url = new URL(request.url);
    const path = `${url.pathname}${url.search}`;
    if (request.method !== "GET") {
      return Promise.resolve(
        json(405, { detail: "this is an exported report: it cannot change the store" }),
      );
    }
    if (!report.responses.has(path)) {
      return Promise.resolve(json(404, { detail: `the exported report holds no ${path}` }));
    }
    return Promise.resolve(json(200, report.responses.get(path)));
  };
}

/**
 * The report API as one typed interface. Components receive it through context, so tests can
 * inject fixtures while the app uses the HTTP client generated from the OpenAPI schema.
 */
import createClient from "openapi-fetch";

import { embeddedFetch, type EmbeddedReport } from "./embedded";
import type { paths } from "./schema";
import type {
  BaselineResponse,
  BatchesResponse,
  CalibrationResponse,
  Provenance,
  PoliciesResponse,
  RefreshResponse,
  ReportConfig,
  RocResponse,
  Summary,
} from "./types";

export interface ReportApi {
  /** Where the API lives, shown in the menu. */
  readonly baseUrl: string;
  /** Set when the page answers from data embedded in an exported file (no API behind it). */
  readonly embedded?: { readonly generatedAt: string | null };
  /** Where the live API offers the report as one HTML file; unset for an exported file. */
  readonly exportUrl?: string;
  summary(): Promise<Summary>;
  batches(): Promise<BatchesResponse>;
  config(): Promise<ReportConfig>;
  /** Where the numbers come from: store, runs, model versions, data, code. */
  provenance(): Promise<Provenance>;
  /** The ROC curves of one batch, or null when the API has none (404). */
  roc(batch: number): Promise<RocResponse | null>;
  /** The reliability curves of one batch, or null when the API has none (404). */
  calibration(batch: number): Promise<CalibrationResponse | null>;
  refresh(): Promise<RefreshResponse>;
  createBaseline(): Promise<BaselineResponse>;
  /** The latest finished policy replay (`available: false` when there is none). */
  policies(): Promise<PoliciesResponse>;
}

/** A failed request: `status` is undefined when the API could not be reached at all. */
export class ApiError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** Same origin by default (the API serves the built page); `VITE_API_BASE_URL` overrides it. */
export function defaultBaseUrl(): string {
  const configured = import.meta.env.VITE_API_BASE_URL;
  if (configured && configured.trim()) return configured.trim().replace(/\/+$/, "");
  return window.location.origin;
}

function detailOf(error: unknown): string | undefined {
  if (error && typeof error === "object" && "detail" in error) {
    const { detail } = error as { detail: unknown };
    if (typeof detail === "string") return detail;
    if (detail !== undefined) return JSON.stringify(detail);
  }
  return undefined;
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

async function unwrap<T>(what: string, request: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await request;
  } catch (cause) {
    throw new ApiError(
      `The report API could not be reached (${what}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
  const { data, error, response } = outcome;
  if (!response.ok || data === undefined) {
    const detail = detailOf(error) ?? response.statusText;
    throw new ApiError(
      `${what} failed: HTTP ${response.status}${detail ? ` — ${detail}` : ""}`,
      response.status,
    );
  }
  return data;
}

/** A per-batch resource the API does not have (404) is null, not an error. */
async function orNullWhenMissing<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

type Fetch = (request: Request) => Promise<Response>;

function createTypedApi(baseUrl: string, fetch?: Fetch): ReportApi {
  const http = createClient<paths>(fetch ? { baseUrl, fetch } : { baseUrl });
  return {
    baseUrl,
    summary: () => unwrap("GET /summary", http.GET("/summary")),
    batches: () => unwrap("GET /batches", http.GET("/batches")),
    config: () => unwrap("GET /config", http.GET("/config")),
    provenance: () => unwrap("GET /provenance", http.GET("/provenance")),
    roc: (batch) =>
      orNullWhenMissing(
        unwrap(`GET /roc/${batch}`, http.GET("/roc/{batch}", { params: { path: { batch } } })),
      ),
    calibration: (batch) =>
      orNullWhenMissing(
        unwrap(
          `GET /calibration/${batch}`,
          http.GET("/calibration/{batch}", { params: { path: { batch } } }),
        ),
      ),
    refresh: () => unwrap("POST /refresh", http.POST("/refresh")),
    createBaseline: () => unwrap("POST /baseline", http.POST("/baseline")),
    policies: () => unwrap("GET /policies", http.GET("/policies")),
  };
}

/** The live API over HTTP; it also offers the report as a file at `/export`. */
export function createHttpApi(baseUrl: string = defaultBaseUrl()): ReportApi {
  return { ...createTypedApi(baseUrl), exportUrl: `${baseUrl}/export` };
}

/** Never contacted: the embedded fetch answers every request (`.invalid` never resolves). */
export const EMBEDDED_BASE_URL = "http://exported-report.invalid";

/** The same typed client, answered from the data embedded in an exported file. */
export function createEmbeddedApi(report: EmbeddedReport): ReportApi {
  return {
    ...createTypedApi(EMBEDDED_BASE_URL, embeddedFetch(report)),
    embedded: { generatedAt: report.generatedAt },
  };
}

/**
 * The report API as one typed interface. Components receive it through context, so tests can
 * inject fixtures while the app uses the HTTP client generated from the OpenAPI schema.
 */
import createClient from "openapi-fetch";

import type { paths } from "./schema";
import type {
  BaselineResponse,
  BatchesResponse,
  PoliciesResponse,
  RefreshResponse,
  ReportConfig,
  RocResponse,
  Summary,
} from "./types";

export interface ReportApi {
  /** Where the API lives, shown in the menu. */
  readonly baseUrl: string;
  summary(): Promise<Summary>;
  batches(): Promise<BatchesResponse>;
  config(): Promise<ReportConfig>;
  /** The ROC curves of one batch, or null when the API has none (404). */
  roc(batch: number): Promise<RocResponse | null>;
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

export function createHttpApi(baseUrl: string = defaultBaseUrl()): ReportApi {
  const http = createClient<paths>({ baseUrl });
  return {
    baseUrl,
    summary: () => unwrap("GET /summary", http.GET("/summary")),
    batches: () => unwrap("GET /batches", http.GET("/batches")),
    config: () => unwrap("GET /config", http.GET("/config")),
    async roc(batch) {
      const request = http.GET("/roc/{batch}", { params: { path: { batch } } });
      try {
        return await unwrap(`GET /roc/${batch}`, request);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    refresh: () => unwrap("POST /refresh", http.POST("/refresh")),
    createBaseline: () => unwrap("POST /baseline", http.POST("/baseline")),
    policies: () => unwrap("GET /policies", http.GET("/policies")),
  };
}

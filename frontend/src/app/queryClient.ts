import { QueryClient } from "@tanstack/react-query";

import { ApiError } from "../api/client";

const MAX_RETRIES = 2;

/** Retry only what may heal by itself: an unreachable API or a 5xx, never a 4xx. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (error instanceof ApiError && error.status !== undefined) return error.status >= 500;
  return true;
}

/** The one query policy of the app: 30 s fresh data, short back-off, no refetch on focus. */
export function createQueryClient(options: { retry?: boolean } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        gcTime: 5 * 60_000,
        retry: options.retry === false ? false : shouldRetry,
        retryDelay: (attempt) => Math.min(400 * 2 ** attempt, 3_000),
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * App-wide queries, for the layout's menu and any feature: the API's configuration and the refresh
 * every part of the page follows. A feature's own queries live in its `queries.ts`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { useApi } from "./context";

export const configKey = ["config"] as const;

export function useReportConfig() {
  const api = useApi();
  return useQuery({ queryKey: configKey, queryFn: () => api.config() });
}

/** POST /refresh drops the API's cache; then every query of the page is fetched again. */
export function useRefresh() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.refresh(),
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

/** The policy replay's one query; the global query policy (retries, freshness) applies. */
import { useQuery } from "@tanstack/react-query";

import { useApi } from "../../api/context";

export const policyKeys = {
  replay: ["policies"] as const,
};

/** The latest finished policy replay, as the API assembled it. */
export function usePolicies() {
  const api = useApi();
  return useQuery({ queryKey: policyKeys.replay, queryFn: () => api.policies() });
}

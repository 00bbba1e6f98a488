/** The policy replay query; the global query policy (retries, freshness) applies. */
import { useQuery } from "@tanstack/react-query";

import { useApi } from "../../../../api/context";

export const policiesKey = ["policies"] as const;

export function usePolicies() {
  const api = useApi();
  return useQuery({ queryKey: policiesKey, queryFn: () => api.policies() });
}

/** Every query and mutation of the report feature; the policy (retries, freshness) is global. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { useApi } from "../../api/context";

export const reportKeys = {
  summary: ["summary"] as const,
  batches: ["batches"] as const,
  provenance: ["provenance"] as const,
  roc: (batch: number) => ["roc", batch] as const,
  calibration: (batch: number) => ["calibration", batch] as const,
};

export function useSummary() {
  const api = useApi();
  return useQuery({ queryKey: reportKeys.summary, queryFn: () => api.summary() });
}

export function useBatches() {
  const api = useApi();
  return useQuery({ queryKey: reportKeys.batches, queryFn: () => api.batches() });
}

export function useProvenance() {
  const api = useApi();
  return useQuery({ queryKey: reportKeys.provenance, queryFn: () => api.provenance() });
}
/** ROC curves are fetched only once a reader opens them. */
export function useRoc(batch: number, enabled: boolean) {
  const api = useApi();
  return useQuery({ queryKey: reportKeys.roc(batch), queryFn: () => api.roc(batch), enabled });
}

/** Reliability curves, like ROC curves, are fetched only once a reader opens them. */
export function useCalibration(batch: number, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: reportKeys.calibration(batch),
    queryFn: () => api.calibration(batch),
    enabled,
  });
}

export function useCreateBaseline() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.createBaseline(),
    onSuccess: async () => {
      await api.refresh();
      await queryClient.invalidateQueries();
    },
  });
}

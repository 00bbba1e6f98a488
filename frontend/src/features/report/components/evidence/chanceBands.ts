import type { BatchResult } from "../../../../api/types";

/** The batches whose drift run recorded the share expected by chance. */
export function bands(batches: BatchResult[]) {
  return batches.flatMap((result) => {
    const band = result.drift?.chance_band;
    return band && typeof band.p95 === "number"
      ? [{ batch: String(result.batch), p50: band.p50, p95: band.p95 }]
      : [];
  });
}

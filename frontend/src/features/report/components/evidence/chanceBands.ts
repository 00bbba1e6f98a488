import type { BatchResult } from "../../../../api/types";

/** The batches whose drift run recorded a band: chance (new) or one period later (older). */
export function bands(batches: BatchResult[]) {
  return batches.flatMap((result) => {
    const band = result.drift?.chance_band;
    return band && typeof band.p95 === "number"
      ? [
          {
            batch: String(result.batch),
            kind: band.kind,
            p50: band.p50,
            p95: band.p95,
            max: band.max ?? null,
            samples: band.samples ?? null,
          },
        ]
      : [];
  });
}

import type { BatchResult } from "../../../../api/types";
import { formatShare } from "../../../../lib/format";
import { NOT_RECORDED } from "../../evidence";
import { bands } from "./chanceBands";

/** The legend entry of the band, or one line saying the run did not record it. */
export function ChanceBandLegend({ batches }: { batches: BatchResult[] }) {
  const recorded = bands(batches);
  if (recorded.length === 0) {
    return (
      <span className="legend-item muted" data-chance-band="missing">
        {NOT_RECORDED} the drift one period later in the reference data.
      </span>
    );
  }
  const p95 = Math.max(...recorded.map((band) => band.p95));
  const p50 = recorded[0]?.p50;
  return (
    <span className="legend-item" data-chance-band="recorded">
      <span className="legend-swatch legend-swatch--chance" aria-hidden="true" /> drift one period
      later in the reference data, not chance (median {formatShare(p50)}, 95th percentile{" "}
      {formatShare(p95)})
    </span>
  );
}

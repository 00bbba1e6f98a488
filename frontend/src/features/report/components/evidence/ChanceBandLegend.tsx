import type { BatchResult } from "../../../../api/types";
import { formatShare } from "../../../../lib/format";
import { NOT_RECORDED } from "../../evidence";
import { bands } from "./chanceBands";

/** The legend entry of the band, or one line saying the run did not record it. */
export function ChanceBandLegend({ batches }: { batches: BatchResult[] }) {
  const recorded = bands(batches);
  const first = recorded[0];
  if (first === undefined) {
    return (
      <span className="legend-item muted" data-chance-band="missing">
        {NOT_RECORDED} the drift share expected by chance.
      </span>
    );
  }
  const p95 = Math.max(...recorded.map((band) => band.p95));
  if (first.kind === "later_period") {
    return (
      <span className="legend-item" data-chance-band="later-period">
        <span className="legend-swatch legend-swatch--chance" aria-hidden="true" /> drift one period
        later in the reference data, not chance (median {formatShare(first.p50)}, 95th percentile{" "}
        {formatShare(p95)}); this run did not record a chance band
      </span>
    );
  }
  const max = Math.max(...recorded.map((band) => band.max ?? band.p95));
  return (
    <span className="legend-item" data-chance-band="recorded">
      <span className="legend-swatch legend-swatch--chance" aria-hidden="true" /> expected by
      chance: {first.samples ?? "random"} samples of the training period against the rest of it
      (median {formatShare(first.p50)}, 95th percentile {formatShare(p95)}, largest{" "}
      {formatShare(max)})
    </span>
  );
}

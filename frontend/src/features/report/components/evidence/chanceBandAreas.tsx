import { ReferenceArea } from "recharts";

import type { BatchResult } from "../../../../api/types";
import { bands } from "./chanceBands";

/**
 * The drift share expected by chance on each batch: shaded from 0 to the 95th percentile of
 * random training-period samples against the rest of it (older stores: held-out later rows,
 * drift one period later). Called as a function so recharts sees its own elements.
 */
export function chanceBandAreas(batches: BatchResult[]) {
  return bands(batches).map((band) => (
    <ReferenceArea
      key={`chance-${band.batch}`}
      className="chance-band"
      x1={band.batch}
      x2={band.batch}
      y1={0}
      y2={band.p95}
      fill="var(--color-chance)"
      fillOpacity={0.35}
      stroke="none"
      ifOverflow="extendDomain"
    />
  ));
}

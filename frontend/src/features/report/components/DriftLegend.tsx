import type { ReactNode } from "react";

import { DRIFT_TONE_LABELS, type DriftTone } from "../driftVerdict";

interface DriftLegendProps {
  /** The verdict tones the chart draws, in legend order. */
  tones: DriftTone[];
  /** The threshold's label, or null when no run recorded one. */
  thresholdLabel: string | null;
  /** Whether a batch has no bar because nothing was measured (batch 0, the reference). */
  unmeasured: boolean;
  /** Further legend entries (the band of drift expected by chance). */
  children?: ReactNode;
}

/** The drift chart's legend: the verdict colours it uses, the threshold, and the missing bar. */
export function DriftLegend({ tones, thresholdLabel, unmeasured, children }: DriftLegendProps) {
  return (
    <figcaption className="chart__legend">
      {tones.map((tone) => (
        <span className="legend-item" key={tone}>
          <span className={`legend-swatch legend-swatch--${tone}`} aria-hidden="true" />{" "}
          {DRIFT_TONE_LABELS[tone]}
        </span>
      ))}
      {thresholdLabel && (
        <span className="legend-item">
          <span className="legend-swatch legend-swatch--line" aria-hidden="true" /> {thresholdLabel}
        </span>
      )}
      {unmeasured && (
        <span className="legend-item">no bar: no drift measured (batch 0 is the reference)</span>
      )}
      {children}
    </figcaption>
  );
}

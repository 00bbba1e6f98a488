import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  ReferenceLine,
  XAxis,
  YAxis,
} from "recharts";

import type { BatchResult } from "../../../api/types";
import { formatShare } from "../../../lib/format";
import { chanceBandAreas } from "./evidence/chanceBandAreas";
import { ChanceBandLegend } from "./evidence/ChanceBandLegend";
import { ChartFrame } from "../../../components/charts/ChartFrame";

interface DriftChartProps {
  batches: BatchResult[];
  threshold: number;
  /** id of the table that states the same numbers as text. */
  describedBy: string;
}

interface DriftPoint {
  batch: string;
  share: number | null;
  atOrAboveThreshold: boolean;
}

/** Batch 0 is the reference itself: its drift share is 0 by definition. */
function driftPoints(batches: BatchResult[], threshold: number): DriftPoint[] {
  return batches.map((result) => {
    const share = result.drift?.share ?? (result.batch === 0 ? 0 : null);
    return {
      batch: String(result.batch),
      share,
      atOrAboveThreshold: share !== null && share >= threshold,
    };
  });
}

/** Drift share per batch against the retraining threshold (colours are presentational). */
export function DriftChart({ batches, threshold, describedBy }: DriftChartProps) {
  const points = driftPoints(batches, threshold);
  const thresholdLabel = `threshold ${formatShare(threshold)}`;
  return (
    <figure
      className="chart drift-chart"
      aria-label={`Drift share per batch; dashed line at the ${thresholdLabel}`}
      aria-describedby={describedBy}
    >
      <ChartFrame height={280}>
        <BarChart data={points} margin={{ top: 24, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis
            dataKey="batch"
            tickLine={false}
            axisLine={{ stroke: "var(--chart-axis)" }}
            tick={{ fill: "var(--text-muted)", fontSize: 12 }}
            label={{
              value: "Batch",
              position: "insideBottomRight",
              offset: -4,
              fill: "var(--text-muted)",
              fontSize: 12,
            }}
          />
          <YAxis
            domain={[0, 1]}
            ticks={[0, 0.25, 0.5, 0.75, 1]}
            tickFormatter={(value: number) => value.toFixed(2)}
            tickLine={false}
            axisLine={false}
            width={44}
            tick={{ fill: "var(--text-muted)", fontSize: 12 }}
          />
          {chanceBandAreas(batches)}
          <Bar
            dataKey="share"
            name="Drift share"
            minPointSize={2}
            maxBarSize={56}
            isAnimationActive={false}
            radius={[3, 3, 0, 0]}
          >
            {points.map((point) => (
              <Cell
                key={point.batch}
                className={point.atOrAboveThreshold ? "bar bar--drift" : "bar bar--ok"}
                fill={point.atOrAboveThreshold ? "var(--color-drift)" : "var(--color-ok)"}
              />
            ))}
            <LabelList
              dataKey="share"
              position="top"
              formatter={(value) => formatShare(typeof value === "number" ? value : null)}
              fill="var(--text-muted)"
              fontSize={12}
            />
          </Bar>
          <ReferenceLine
            y={threshold}
            className="drift-threshold"
            stroke="var(--color-threshold)"
            strokeDasharray="6 4"
            strokeWidth={1.5}
            ifOverflow="extendDomain"
            label={{
              value: thresholdLabel,
              position: "insideBottomLeft",
              fill: "var(--text)",
              fontSize: 12,
            }}
          />
        </BarChart>
      </ChartFrame>
      <figcaption className="chart__legend">
        <span className="legend-item">
          <span className="legend-swatch legend-swatch--ok" aria-hidden="true" /> below threshold
        </span>
        <span className="legend-item">
          <span className="legend-swatch legend-swatch--drift" aria-hidden="true" /> at or above the
          threshold
        </span>
        <span className="legend-item">
          <span className="legend-swatch legend-swatch--line" aria-hidden="true" /> {thresholdLabel}
        </span>
        <ChanceBandLegend batches={batches} />
      </figcaption>
    </figure>
  );
}

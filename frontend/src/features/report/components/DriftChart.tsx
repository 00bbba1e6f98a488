import {
  Bar,
  CartesianGrid,
  Cell,
  ComposedChart,
  LabelList,
  ReferenceLine,
  Scatter,
  XAxis,
  YAxis,
} from "recharts";

import type { BatchResult } from "../../../api/types";
import { chanceBandAreas } from "./evidence/chanceBandAreas";
import { ChanceBandLegend } from "./evidence/ChanceBandLegend";
import { ChartFrame } from "../../../components/charts/ChartFrame";
import { AXIS_LINE, AXIS_TICK } from "../../../components/charts/axis";
import { formatShare } from "../../../lib/format";
import { DRIFT_TONE_LABELS, driftVerdict, measuredShare, type DriftTone } from "../driftVerdict";
import { DriftLegend } from "./DriftLegend";

import "./DriftChart.css";

interface DriftChartProps {
  batches: BatchResult[];
  /** id of the table that states the same numbers as text. */
  describedBy: string;
}

interface DriftPoint {
  batch: string;
  share: number | null;
  /** The run's own threshold, as the pipeline used it. */
  threshold: number | null;
  tone: DriftTone;
}

const TONE_FILL: Record<DriftTone, string> = {
  drift: "var(--color-drift)",
  forced: "var(--color-forced)",
  quiet: "var(--color-ok)",
  unknown: "var(--color-unknown)",
};

/** One run's threshold: a dashed tick across its bar, where the runs' thresholds differ. */
function ThresholdMark({ cx, cy, payload }: { cx?: number; cy?: number; payload?: DriftPoint }) {
  if (cx === undefined || cy === undefined || payload?.threshold === null) return <g />;
  return (
    <line
      className="drift-threshold__mark"
      x1={cx - 24}
      x2={cx + 24}
      y1={cy}
      y2={cy}
      stroke="var(--color-threshold)"
      strokeDasharray="6 4"
      strokeWidth={1.5}
    />
  );
}

function driftPoints(batches: BatchResult[]): DriftPoint[] {
  return batches.map((result) => ({
    batch: String(result.batch),
    share: measuredShare(result.drift),
    threshold: result.drift?.threshold ?? null,
    tone: driftVerdict(result.drift).tone,
  }));
}

/** Drift share per batch, coloured by the pipeline's verdict, against each run's threshold. */
export function DriftChart({ batches, describedBy }: DriftChartProps) {
  const points = driftPoints(batches);
  const thresholds = [...new Set(points.flatMap((point) => point.threshold ?? []))];
  const single = thresholds.length === 1 ? thresholds[0] : undefined;
  const thresholdLabel =
    single !== undefined ? `threshold ${formatShare(single)}` : "each run's own threshold";
  const tones = (Object.keys(DRIFT_TONE_LABELS) as DriftTone[]).filter((tone) =>
    points.some((point) => point.tone === tone && point.share !== null),
  );
  return (
    <figure
      className="chart drift-chart"
      aria-label={`Drift share per batch${thresholds.length > 0 ? `; dashed: ${thresholdLabel}` : ""}`}
      aria-describedby={describedBy}
    >
      <ChartFrame height={280}>
        <ComposedChart data={points} margin={{ top: 24, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis
            dataKey="batch"
            tickLine={false}
            axisLine={AXIS_LINE}
            tick={AXIS_TICK}
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
            width={36}
            tick={AXIS_TICK}
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
                className={`bar bar--${point.tone}`}
                data-tone={point.tone}
                data-batch={point.batch}
                fill={TONE_FILL[point.tone]}
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
          {single !== undefined && (
            <ReferenceLine
              y={single}
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
          )}
          {thresholds.length > 1 && (
            <Scatter
              dataKey="threshold"
              name="Threshold"
              className="drift-threshold"
              isAnimationActive={false}
              shape={ThresholdMark}
            />
          )}
        </ComposedChart>
      </ChartFrame>
      <DriftLegend
        tones={tones}
        thresholdLabel={thresholds.length > 0 ? thresholdLabel : null}
        unmeasured={points.some((point) => point.share === null)}
      >
        <ChanceBandLegend batches={batches} />
      </DriftLegend>
    </figure>
  );
}

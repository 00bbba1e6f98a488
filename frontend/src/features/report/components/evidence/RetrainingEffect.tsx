import {
  CartesianGrid,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  XAxis,
  YAxis,
} from "recharts";

import type { BatchResult, ModelScores, Summary } from "../../../../api/types";
import { ChartFrame } from "../../../../components/charts/ChartFrame";
import { AXIS_TICK } from "../../../../components/charts/axis";
import { NOT_RECORDED } from "../../evidence";

const SERIES = [
  { key: "initial", name: "Never-retrained model", colour: "var(--color-initial)" },
  { key: "before", name: "Production before the decision", colour: "var(--color-prod)" },
  { key: "after", name: "Production after the decision", colour: "var(--color-new)" },
] as const;

type SeriesKey = (typeof SERIES)[number]["key"];
type Point = { batch: string } & Partial<Record<SeriesKey | `${SeriesKey}Error`, unknown>>;

function withError(point: Point, key: SeriesKey, scores: ModelScores | null | undefined) {
  if (typeof scores?.auc !== "number") return;
  point[key] = scores.auc;
  const { auc_ci_low: low, auc_ci_high: high } = scores;
  if (typeof low === "number" && typeof high === "number") {
    point[`${key}Error`] = [scores.auc - low, high - scores.auc];
  }
}

/** AUC per batch of the three models, each with its 95% interval as a whisker. */
function effectPoints(batches: BatchResult[]): Point[] {
  return batches
    .filter((result) => result.quality_gate_run_id)
    .map((result) => {
      const point: Point = { batch: String(result.batch) };
      withError(point, "initial", result.initial);
      withError(point, "before", result.production);
      withError(point, "after", result.production_after);
      return point;
    });
}

/** "Did retraining help?": the never-retrained model against Production, batch by batch. */
export function RetrainingEffect({
  summary,
  batches,
}: {
  summary: Summary;
  batches: BatchResult[];
}) {
  if (!summary.evidence_recorded) {
    return (
      <p className="muted" data-evidence="missing">
        {NOT_RECORDED} the never-retrained model&rsquo;s scores, so this comparison is not
        available.
      </p>
    );
  }
  return (
    <figure
      className="chart retraining-effect"
      aria-label="AUC per batch with 95% intervals: never-retrained model, Production before and after the decision"
    >
      <ChartFrame height={300}>
        <LineChart data={effectPoints(batches)} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="batch" tick={AXIS_TICK} />
          <YAxis domain={["auto", "auto"]} width={48} tickFormatter={(v: number) => v.toFixed(2)} />
          <ReferenceLine y={0.5} stroke="var(--chart-axis)" strokeDasharray="4 4" />
          {SERIES.map((series) => (
            <Line
              key={series.key}
              dataKey={series.key}
              name={series.name}
              stroke={series.colour}
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            >
              <ErrorBar
                dataKey={`${series.key}Error`}
                width={6}
                stroke={series.colour}
                isAnimationActive={false}
              />
            </Line>
          ))}
          <Legend verticalAlign="top" height={28} itemSorter={null} />
        </LineChart>
      </ChartFrame>
      <figcaption className="chart__note">
        Whiskers are 95% intervals; each batch is scored on its own test split (batch 0 on the
        initial test set). The dashed line is chance (AUC 0.5).
      </figcaption>
    </figure>
  );
}

import { CartesianGrid, ErrorBar, Line, LineChart, ReferenceLine, XAxis, YAxis } from "recharts";

import type { BatchResult, ModelScores, Summary } from "../../../../api/types";
import { ChartFrame } from "../../../../components/charts/ChartFrame";
import { AXIS_TICK } from "../../../../components/charts/axis";
import { ChartLegend } from "../../../../components/charts/ChartLegend";
import { NOT_RECORDED } from "../../evidence";

// Told apart by dash and marker as well as colour; the never-retrained line is drawn last so
// that it is never hidden under the others.
const SERIES = [
  {
    key: "before",
    name: "Production before the decision",
    colour: "var(--color-prod)",
    dash: "2 4",
    marker: "circle",
  },
  {
    key: "after",
    name: "Production after the decision",
    colour: "var(--color-new)",
    dash: undefined,
    marker: "diamond",
  },
  {
    key: "initial",
    name: "Never-retrained model",
    colour: "var(--color-initial)",
    dash: "8 4",
    marker: "square",
  },
  {
    key: "estimated",
    name: "Production, estimated before the labels",
    colour: "var(--text-muted)",
    dash: "1 4",
    marker: "triangle",
  },
] as const;
const LEGEND_ORDER = ["initial", "before", "after", "estimated"] as const;

type SeriesKey = (typeof SERIES)[number]["key"];
type Point = { batch: string } & Partial<Record<SeriesKey | `${SeriesKey}Error`, unknown>>;

function withError(point: Point, key: SeriesKey, scores: ModelScores | null | undefined) {
  if (typeof scores?.auc !== "number") return;
  setPoint(point, key, scores.auc, scores.auc_ci_low, scores.auc_ci_high);
}

function setPoint(
  point: Point,
  key: SeriesKey,
  auc: number,
  low: number | null | undefined,
  high: number | null | undefined,
) {
  point[key] = auc;
  if (typeof low === "number" && typeof high === "number") {
    point[`${key}Error`] = [auc - low, high - auc];
  }
}

/** Production's AUC estimated before the labels (batch 0 is the reference itself: none). */
function productionEstimate(result: BatchResult) {
  return result.batch > 0 ? result.production?.estimated : null;
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
      const estimated = result.batch > 0 ? result.production?.estimated : null;
      if (estimated)
        setPoint(point, "estimated", estimated.auc, estimated.ci_low, estimated.ci_high);
      return point;
    });
}

type Marker = (typeof SERIES)[number]["marker"];

function markerPath(marker: Marker, x: number, y: number): string {
  if (marker === "triangle") return `M${x},${y - 5}l5,9h-10z`;
  if (marker === "square") return `M${x - 4},${y - 4}h8v8h-8z`;
  if (marker === "diamond") return `M${x},${y - 5.5}l5.5,5.5l-5.5,5.5l-5.5,-5.5z`;
  return `M${x - 4},${y}a4,4 0 1,0 8,0a4,4 0 1,0 -8,0`;
}

function MarkerDot(marker: Marker, colour: string) {
  return function Dot(props: { cx?: number; cy?: number; index?: number }) {
    if (typeof props.cx !== "number" || typeof props.cy !== "number")
      return <g key={props.index} />;
    return (
      <path
        key={props.index}
        d={markerPath(marker, props.cx, props.cy)}
        fill={colour}
        stroke="var(--surface)"
        strokeWidth={1}
      />
    );
  };
}

/** A domain with round ends that holds every interval and chance (0.5), and its ticks. */
function aucAxis(points: Point[]): { domain: [number, number]; ticks: number[] } {
  const values: number[] = [0.5];
  for (const point of points) {
    for (const { key } of SERIES) {
      const auc = point[key];
      const error = point[`${key}Error`];
      if (typeof auc !== "number") continue;
      values.push(auc);
      if (Array.isArray(error)) values.push(auc - Number(error[0]), auc + Number(error[1]));
    }
  }
  const low = Math.max(0, Math.floor(Math.min(...values) * 10) / 10);
  const high = Math.min(1, Math.ceil(Math.max(...values) * 10) / 10);
  const step = high - low > 0.4 ? 0.1 : 0.05;
  const ticks: number[] = [];
  for (let t = low; t <= high + 1e-9; t += step) ticks.push(Math.round(t * 100) / 100);
  return { domain: [low, high], ticks };
}

function cell(
  auc: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
): string {
  if (typeof auc !== "number") return "—";
  const interval =
    typeof low === "number" && typeof high === "number"
      ? ` (95% CI ${low.toFixed(3)} to ${high.toFixed(3)})`
      : "";
  return `${auc.toFixed(3)}${interval}`;
}

function scoresCell(scores: ModelScores | null | undefined): string {
  return cell(scores?.auc, scores?.auc_ci_low, scores?.auc_ci_high);
}

/** The chart's numbers as a table for screen readers (the chart's text equivalent). */
function EffectTable({ batches }: { batches: BatchResult[] }) {
  return (
    // The wrapper hides it: a table ignores the 1 px width the class gives, a div does not.
    <div className="visually-hidden">
      <table id="retraining-effect-table">
        <caption>
          AUC per batch of the three models, with 95% intervals, and Production&rsquo;s AUC
          estimated before the labels
        </caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Never-retrained model</th>
            <th scope="col">Production before the decision</th>
            <th scope="col">Production after the decision</th>
            <th scope="col">Production, estimated before the labels</th>
          </tr>
        </thead>
        <tbody>
          {batches
            .filter((result) => result.quality_gate_run_id)
            .map((result) => (
              <tr key={result.batch}>
                <th scope="row">{result.batch}</th>
                <td>{scoresCell(result.initial)}</td>
                <td>{scoresCell(result.production)}</td>
                <td>{scoresCell(result.production_after)}</td>
                <td>
                  {cell(
                    productionEstimate(result)?.auc,
                    productionEstimate(result)?.ci_low,
                    productionEstimate(result)?.ci_high,
                  )}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
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
  const points = effectPoints(batches);
  const axis = aucAxis(points);
  // The estimate's series is drawn, and named in the legend, only when the runs recorded it.
  const drawn = SERIES.filter(
    (series) => series.key !== "estimated" || points.some((point) => "estimated" in point),
  );
  return (
    <figure
      className="chart retraining-effect"
      aria-label="AUC per batch with 95% intervals: never-retrained model, Production before and after the decision, and Production's AUC estimated before the labels where recorded"
      aria-describedby="retraining-effect-table"
    >
      <ChartFrame height={300}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 24, left: 12 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis
            dataKey="batch"
            tick={AXIS_TICK}
            label={{
              value: "Batch",
              position: "insideBottom",
              offset: -14,
              fill: "var(--text-muted)",
              fontSize: 12,
            }}
          />
          <YAxis
            domain={axis.domain}
            ticks={axis.ticks}
            width={56}
            tick={AXIS_TICK}
            tickFormatter={(v: number) => v.toFixed(2)}
            label={{
              value: "AUC",
              angle: -90,
              position: "insideLeft",
              offset: 0,
              fill: "var(--text-muted)",
              fontSize: 12,
            }}
          />
          <ReferenceLine y={0.5} stroke="var(--chart-axis)" strokeDasharray="4 4" />
          {drawn.map((series) => (
            <Line
              key={series.key}
              dataKey={series.key}
              name={series.name}
              stroke={series.colour}
              strokeWidth={2}
              strokeDasharray={series.dash}
              dot={MarkerDot(series.marker, series.colour)}
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
        </LineChart>
      </ChartFrame>
      <ChartLegend
        items={LEGEND_ORDER.filter((key) => drawn.some((s) => s.key === key)).map((key) => {
          const series = SERIES.find((s) => s.key === key) ?? SERIES[0];
          return {
            key,
            name: series.name,
            colour: series.colour,
            dash: series.dash,
            marker: <path d={markerPath(series.marker, 17, 6)} fill={series.colour} />,
          };
        })}
      />
      <EffectTable batches={batches} />
      <figcaption className="chart__note">
        Whiskers are 95% intervals; each batch is scored on its own test split (batch 0 on the
        initial test set). The dashed line is chance (AUC 0.5). Where the runs recorded it, the
        dotted grey line is Production&rsquo;s AUC as estimated from its own risks before the
        batch&rsquo;s labels arrived; where it parts from the realised AUC, the relation between the
        data and readmission changed.
      </figcaption>
    </figure>
  );
}

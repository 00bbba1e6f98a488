import { CartesianGrid, Line, LineChart, XAxis, YAxis } from "recharts";

import type { RocCurve as RocCurveData, RocResponse } from "../../../api/types";
import { formatScore } from "../../../lib/format";
import { useRoc } from "../queries";
import { unitDiagonal } from "../../../components/charts/diagonal";
import { ChartFrame } from "../../../components/charts/ChartFrame";
import { AXIS_TICK, axisTitle } from "../../../components/charts/axis";
import { ChartLegend } from "../../../components/charts/ChartLegend";

import "./RocCurve.css";

interface RocPoint {
  fpr: number;
  tpr: number;
}

/** The curve as the API sent it (the API already caps it at 200 points). */
function rocPoints(curve: RocCurveData): RocPoint[] {
  return curve.fpr.slice(0, curve.tpr.length).map((fpr, index) => ({
    fpr,
    tpr: curve.tpr[index] ?? 0,
  }));
}

function hasPoints(curve: RocCurveData | null): curve is RocCurveData {
  return curve !== null && curve.fpr.length > 0 && curve.tpr.length > 0;
}

export function RocChart({ roc }: { roc: RocResponse }) {
  const series = [
    { key: "production", name: "Production", curve: roc.production, colour: "var(--color-prod)" },
    { key: "new", name: "New model", curve: roc.new, colour: "var(--color-new)" },
  ].filter((entry) => hasPoints(entry.curve));
  return (
    <figure
      className="chart roc-chart"
      aria-label={`ROC curves for batch ${roc.batch}: ${series
        .map((entry) => `${entry.name}, AUC ${formatScore(entry.curve?.auc)}`)
        .join("; ")}`}
    >
      <ChartFrame height={300}>
        <LineChart margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid stroke="var(--chart-grid)" />
          <XAxis
            type="number"
            dataKey="fpr"
            domain={[0, 1]}
            ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
            tick={AXIS_TICK}
            label={axisTitle("False positive rate", "x")}
          />
          <YAxis
            type="number"
            domain={[0, 1]}
            ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
            width={64}
            tick={AXIS_TICK}
            label={axisTitle("True positive rate", "y")}
          />
          {unitDiagonal()}
          {series.map((entry) => (
            <Line
              key={entry.key}
              data={entry.curve ? rocPoints(entry.curve) : []}
              dataKey="tpr"
              name={`${entry.name} (AUC ${formatScore(entry.curve?.auc)})`}
              type="linear"
              stroke={entry.colour}
              strokeWidth={2}
              strokeDasharray={entry.key === "new" ? "8 3" : undefined}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ChartFrame>
      <ChartLegend
        items={series.map((entry) => ({
          key: entry.key,
          name: `${entry.name} (AUC ${formatScore(entry.curve?.auc)})`,
          colour: entry.colour,
          dash: entry.key === "new" ? "8 3" : undefined,
        }))}
      />
      <figcaption className="chart__note">
        The dashed diagonal is a model that guesses at random.
      </figcaption>
    </figure>
  );
}

/** Fetches the batch's curves when mounted, i.e. only when the reader opened the panel. */
export function RocPanel({ batch }: { batch: number }) {
  const roc = useRoc(batch, true);
  if (roc.isPending) {
    return (
      <div className="roc-panel" aria-busy="true">
        <span className="skeleton skeleton--chart" />
        <span className="visually-hidden">Loading the ROC curve…</span>
      </div>
    );
  }
  if (roc.isError) {
    return (
      <p className="roc-panel notice notice--error" role="alert">
        The ROC curve could not be loaded: {roc.error.message}
      </p>
    );
  }
  const data = roc.data;
  if (!data || (!hasPoints(data.production) && !hasPoints(data.new))) {
    return <p className="roc-panel notice">ROC curve not available for this batch.</p>;
  }
  return (
    <div className="roc-panel">
      <RocChart roc={data} />
    </div>
  );
}

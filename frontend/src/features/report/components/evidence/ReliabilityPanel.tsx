import { CartesianGrid, Line, LineChart, XAxis, YAxis } from "recharts";

import type { CalibrationResponse, ReliabilityCurve } from "../../../../api/types";
import { axisTitle } from "../../../../components/charts/axis";
import { ChartLegend } from "../../../../components/charts/ChartLegend";
import { unitDiagonal } from "../../../../components/charts/diagonal";
import { ChartFrame } from "../../../../components/charts/ChartFrame";
import { useCalibration } from "../../queries";

const AXIS_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const SERIES = [
  { key: "production", name: "Production", colour: "var(--color-prod)", dash: undefined },
  { key: "new", name: "New model", colour: "var(--color-new)", dash: "8 3" },
  { key: "initial", name: "Never-retrained", colour: "var(--color-initial)", dash: "2 3" },
] as const;

/** Observed readmission rate against the mean predicted probability, per bin. */
export function ReliabilityChart({ curves }: { curves: CalibrationResponse }) {
  const drawn = SERIES.flatMap((series) => {
    const curve: ReliabilityCurve | null = curves[series.key];
    return curve && curve.bins.length > 0 ? [{ ...series, curve }] : [];
  });
  return (
    <figure
      className="chart reliability-chart"
      aria-label={`Reliability, batch ${curves.batch}: observed against predicted readmission rate, per bin; ${drawn
        .map(
          (series) =>
            `${series.name}: ${series.curve.bins
              .map((bin) => `${bin.mean_predicted.toFixed(2)} → ${bin.observed.toFixed(2)}`)
              .join(", ")}`,
        )
        .join("; ")}`}
    >
      <ChartFrame height={260}>
        <LineChart margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid stroke="var(--chart-grid)" />
          <XAxis
            type="number"
            dataKey="mean_predicted"
            domain={[0, 1]}
            ticks={AXIS_TICKS}
            label={axisTitle("Mean predicted probability", "x")}
          />
          <YAxis
            type="number"
            domain={[0, 1]}
            ticks={AXIS_TICKS}
            width={64}
            label={axisTitle("Observed rate", "y")}
          />
          {unitDiagonal()}
          {drawn.map((series) => (
            <Line
              key={series.key}
              data={series.curve.bins}
              dataKey="observed"
              name={series.name}
              stroke={series.colour}
              strokeDasharray={series.dash}
              strokeWidth={2}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ChartFrame>
      <ChartLegend
        items={drawn.map((series) => ({
          key: series.key,
          name: series.name,
          colour: series.colour,
          dash: series.dash,
        }))}
      />
      <figcaption className="chart__note">
        Mean predicted probability (x) against the observed readmission rate (y) in ten bins; the
        dashed diagonal is perfect calibration.
      </figcaption>
    </figure>
  );
}

/** Fetches the batch's reliability curves when mounted, i.e. only once opened. */
export function ReliabilityPanel({ batch }: { batch: number }) {
  const query = useCalibration(batch, true);
  if (query.isPending) {
    return <span className="skeleton skeleton--chart" aria-busy="true" />;
  }
  if (query.isError) {
    return (
      <p className="notice notice--error" role="alert">
        The reliability diagram could not be loaded: {query.error.message}
      </p>
    );
  }
  const curves = query.data;
  if (!curves || SERIES.every((series) => !curves[series.key]?.bins.length)) {
    return <p className="notice">The run did not record reliability curves for this batch.</p>;
  }
  return <ReliabilityChart curves={curves} />;
}

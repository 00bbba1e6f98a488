import { CartesianGrid, Line, LineChart, ReferenceLine, XAxis, YAxis } from "recharts";

import type { PolicyResult } from "../../api/types";
import { ChartFrame } from "../../components/charts/ChartFrame";
import { AXIS_LINE, AXIS_TICK } from "../../components/charts/axis";
import { policyColour } from "./policyColour";

type Point = Record<string, number | string | null>;

function points(policies: PolicyResult[]): Point[] {
  const batches = [...new Set(policies.flatMap((p) => p.batches.map((b) => b.batch)))].sort(
    (a, b) => a - b,
  );
  return batches.map((batch) => {
    const point: Point = { batch: String(batch) };
    for (const policy of policies) {
      point[policy.label] = policy.batches.find((b) => b.batch === batch)?.auc ?? null;
    }
    return point;
  });
}

/** AUC per batch, one line per policy; the configured policy is drawn thick and solid. */
export function PolicyChart({
  policies,
  describedBy,
}: {
  policies: PolicyResult[];
  describedBy: string;
}) {
  return (
    <figure
      className="chart policy-chart"
      aria-label="AUC per batch under each replayed policy; the policy that ran is the thick line"
      aria-describedby={describedBy}
    >
      <ChartFrame height={300}>
        <LineChart data={points(policies)} margin={{ top: 16, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="batch" tickLine={false} axisLine={AXIS_LINE} tick={AXIS_TICK} />
          <YAxis
            domain={[0.3, 0.8]}
            ticks={[0.3, 0.4, 0.5, 0.6, 0.7, 0.8]}
            tickFormatter={(value: number) => value.toFixed(1)}
            tickLine={false}
            axisLine={false}
            width={40}
            tick={AXIS_TICK}
          />
          <ReferenceLine
            y={0.5}
            stroke="var(--chart-axis)"
            strokeDasharray="4 4"
            label={{ value: "chance", position: "insideBottomLeft", fontSize: 12 }}
          />
          {policies.map((policy, index) => (
            <Line
              key={policy.run_id}
              dataKey={policy.label}
              name={policy.label}
              className={policy.configured ? "policy-line policy-line--configured" : "policy-line"}
              stroke={policyColour(policy, index)}
              strokeWidth={policy.configured ? 3.5 : 1.5}
              strokeDasharray={policy.configured ? undefined : "5 3"}
              dot={{ r: policy.configured ? 4 : 2.5 }}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
        </LineChart>
      </ChartFrame>
      <figcaption className="chart__legend">
        {policies.map((policy, index) => (
          <span className="legend-item" key={policy.run_id}>
            <span
              className="legend-swatch"
              style={{ background: policyColour(policy, index) }}
              aria-hidden="true"
            />
            {policy.label}
            {policy.configured && <strong> (the policy that ran)</strong>}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

import type { PolicyResult } from "../../api/types";
import { formatSigned } from "../../lib/format";

const ROW = 34;
const LEFT = 190;
const RIGHT = 24;
const WIDTH = 640;
const TOP = 12;
const AXIS = 44;

/** Round tick steps that give 4 to 8 ticks across the domain. */
function ticks(low: number, high: number): number[] {
  const span = high - low;
  const steps = [0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2];
  const step = steps.find((s) => span / s <= 8) ?? 0.5;
  const out: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + 1e-12; t += step) out.push(+t.toFixed(4));
  return out;
}

/**
 * A dot plot of each policy's mean paired difference to the policy that ran, with its 95%
 * interval: where a line crosses 0, the replay cannot tell the two apart. The same numbers are in
 * the table it describes (`describedBy`).
 */
export function PolicyDifferenceChart({
  policies,
  describedBy,
}: {
  policies: PolicyResult[];
  describedBy: string;
}) {
  const rows = policies.filter(
    (p) =>
      !p.configured &&
      p.mean_delta_vs_configured != null &&
      p.mean_delta_ci_low != null &&
      p.mean_delta_ci_high != null,
  );
  if (rows.length === 0) return null;
  const lows = rows.map((p) => p.mean_delta_ci_low as number);
  const highs = rows.map((p) => p.mean_delta_ci_high as number);
  const pad = 0.005;
  const low = Math.min(0, ...lows) - pad;
  const high = Math.max(0, ...highs) + pad;
  const x = (v: number) => LEFT + ((v - low) / (high - low)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + rows.length * ROW + AXIS;
  const plotBottom = TOP + rows.length * ROW;
  return (
    <figure
      className="chart policy-difference"
      aria-label="Each policy's mean difference in AUC to the policy that ran, with 95% intervals"
      aria-describedby={describedBy}
    >
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-hidden="true" focusable="false">
        {ticks(low, high).map((t) => (
          <g key={t}>
            <line
              x1={x(t)}
              x2={x(t)}
              y1={TOP}
              y2={plotBottom}
              className={t === 0 ? "policy-difference__zero" : "policy-difference__grid"}
            />
            <text
              x={x(t)}
              y={plotBottom + 16}
              textAnchor="middle"
              className="policy-difference__tick"
            >
              {formatSigned(t)}
            </text>
          </g>
        ))}
        {rows.map((p, i) => {
          const y = TOP + i * ROW + ROW / 2;
          return (
            <g
              key={p.run_id}
              className={`policy-difference__row policy-difference__row--${p.verdict_vs_configured}`}
            >
              <text x={LEFT - 10} y={y + 4} textAnchor="end" className="policy-difference__label">
                {p.title ?? p.label}
              </text>
              <line
                x1={x(p.mean_delta_ci_low as number)}
                x2={x(p.mean_delta_ci_high as number)}
                y1={y}
                y2={y}
                className="policy-difference__interval"
              />
              <circle
                cx={x(p.mean_delta_vs_configured as number)}
                cy={y}
                r={5}
                className="policy-difference__dot"
              />
            </g>
          );
        })}
        <text
          x={(LEFT + WIDTH - RIGHT) / 2}
          y={height - 6}
          textAnchor="middle"
          className="policy-difference__axis-title"
        >
          Mean AUC difference to the policy that ran (next batch, paired; 0 = no difference)
        </text>
      </svg>
    </figure>
  );
}

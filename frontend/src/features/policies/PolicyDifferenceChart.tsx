import type { PolicyResult } from "../../api/types";
import { formatSigned } from "../../lib/format";

/** Round tick steps that give 4 to 8 ticks across the domain. */
function ticks(low: number, high: number): number[] {
  const span = high - low;
  const steps = [0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2];
  const step = steps.find((s) => span / s <= 8) ?? 0.5;
  const out: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + 1e-12; t += step) out.push(+t.toFixed(4));
  return out;
}

const percent = (value: number, low: number, high: number) =>
  `${(((value - low) / (high - low)) * 100).toFixed(2)}%`;

/**
 * A dot plot of each policy's mean paired difference to the policy that ran, with its 95%
 * interval: where a line crosses 0, the replay cannot tell the two apart. Each row is HTML (the
 * policy's name wraps at any width) beside a strip drawn in percent of the shared axis; the same
 * numbers are in the table it describes (`describedBy`).
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
  const pad = 0.005;
  const low = Math.min(0, ...rows.map((p) => p.mean_delta_ci_low as number)) - pad;
  const high = Math.max(0, ...rows.map((p) => p.mean_delta_ci_high as number)) + pad;
  const axis = ticks(low, high);
  const at = (value: number) => percent(value, low, high);
  return (
    <figure
      className="chart policy-difference"
      aria-label="Each policy's mean difference in AUC to the policy that ran, with 95% intervals"
      aria-describedby={describedBy}
    >
      <div className="policy-difference__rows" aria-hidden="true">
        {rows.map((p) => (
          <div
            className={`policy-difference__row policy-difference__row--${p.verdict_vs_configured}`}
            key={p.run_id}
          >
            <span className="policy-difference__label">{p.title ?? p.label}</span>
            <span className="policy-difference__strip">
              {axis.map((t) => (
                <span
                  key={t}
                  className={t === 0 ? "policy-difference__zero" : "policy-difference__grid"}
                  style={{ left: at(t) }}
                />
              ))}
              <span
                className="policy-difference__interval"
                style={{
                  left: at(p.mean_delta_ci_low as number),
                  right: `calc(100% - ${at(p.mean_delta_ci_high as number)})`,
                }}
              />
              <span
                className="policy-difference__dot"
                style={{ left: at(p.mean_delta_vs_configured as number) }}
              />
            </span>
          </div>
        ))}
        <div className="policy-difference__row policy-difference__axis">
          <span className="policy-difference__label" />
          <span className="policy-difference__strip">
            {axis.map((t) => (
              <span key={t} className="policy-difference__tick" style={{ left: at(t) }}>
                {formatSigned(t)}
              </span>
            ))}
          </span>
        </div>
      </div>
      <figcaption className="chart__note">
        Dot: the mean difference in AUC to the policy that ran, on the next batch, paired on the
        same patients; line: its 95% interval. Right of the dashed 0 is better, left is worse; a
        line that crosses 0 is inconclusive.
      </figcaption>
    </figure>
  );
}

import type { ModelScores } from "../../../api/types";
import { formatScore } from "../../../lib/format";
import { SCORES, type Deltas } from "../scores";
import { Delta } from "./Delta";
import { AucWithInterval } from "./evidence/AucWithInterval";

import "./ScoreCards.css";

interface ScoreCardProps {
  title: string;
  subtitle?: string;
  scores: ModelScores | null;
  /** Change against the Production model, per score (new minus production). */
  deltas?: Deltas;
}

/** One model's four scores on the batch's test set, with deltas for a candidate. */
export function ScoreCard({ title, subtitle, scores, deltas }: ScoreCardProps) {
  return (
    <section className="score-card" aria-label={title}>
      <p className="score-card__title">
        {title}
        {subtitle && <span className="score-card__subtitle"> · {subtitle}</span>}
      </p>
      <dl className="score-card__grid">
        {SCORES.map(([key, label]) => (
          <div className="score" key={key}>
            <dt>{label}</dt>
            <dd>
              {key === "auc" ? (
                <AucWithInterval
                  auc={scores?.auc}
                  low={scores?.auc_ci_low}
                  high={scores?.auc_ci_high}
                  worseThanChance={scores?.worse_than_chance}
                />
              ) : (
                <span className="score__value">{formatScore(scores?.[key])}</span>
              )}
              {deltas && <Delta value={deltas[key]} against="Production" />}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

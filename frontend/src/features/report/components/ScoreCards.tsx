import type { ModelScores } from "../../../api/types";
import type { Deltas } from "../deltas";
import { formatDelta, formatScore } from "../format";

const SCORES = [
  ["auc", "AUC"],
  ["f1", "F1"],
  ["precision", "Precision"],
  ["recall", "Recall"],
] as const satisfies ReadonlyArray<readonly [keyof ModelScores, string]>;

interface ScoreCardProps {
  title: string;
  subtitle?: string;
  scores: ModelScores | null;
  /** Change against the Production model, per score (new minus production). */
  deltas?: Deltas;
}

function Delta({ value }: { value: number | null | undefined }) {
  const delta = formatDelta(value);
  if (!delta.direction) return null;
  const words = {
    up: "higher than Production",
    down: "lower than Production",
    flat: "same as Production",
  };
  return (
    <span className={`delta delta--${delta.direction}`} title={words[delta.direction]}>
      {delta.arrow && <span aria-hidden="true">{delta.arrow} </span>}
      {delta.text}
      <span className="visually-hidden"> ({words[delta.direction]})</span>
    </span>
  );
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
              <span className="score__value">{formatScore(scores?.[key])}</span>
              {deltas && <Delta value={deltas[key]} />}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

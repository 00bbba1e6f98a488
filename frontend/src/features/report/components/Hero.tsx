import { useEffect, type ReactNode } from "react";

import type { Summary } from "../../../api/types";
import { DASH, formatCount } from "../../../lib/format";
import { ProductionDetail } from "./evidence/ProductionDetail";

import "./Hero.css";
import { Term } from "../../../components/glossary/Term";

function StatCard({ label, value, detail }: { label: string; value: string; detail: ReactNode }) {
  return (
    <div className="stat">
      <dt className="stat__label">{label}</dt>
      <dd className="stat__value">{value}</dd>
      <dd className="stat__detail">{detail}</dd>
    </div>
  );
}

/** Title, what the system does, and the three numbers a reader looks for first. */
export function Hero({ summary }: { summary: Summary | undefined }) {
  const production = summary?.production_model ?? null;
  const title = summary?.title;
  useEffect(() => {
    if (title) document.title = title;
  }, [title]);
  return (
    <header className="hero">
      <p className="hero__eyebrow">Experiment report</p>
      <h1 className="hero__title">
        {title ?? (
          <>
            <span className="skeleton skeleton--title" aria-hidden="true" />
            <span className="visually-hidden">Loading the report…</span>
          </>
        )}
      </h1>
      <p className="hero__lede">
        A model predicts which diabetic patients will be readmitted to hospital. Each new batch of
        patient data is checked for drift; when the data has shifted, a new model is trained and a
        quality gate decides whether it replaces the one in Production.
      </p>
      <p className="hero__note">
        The target is <strong>any readmission</strong> (<code>readmitted</code> is not
        &ldquo;NO&rdquo;: within 30 days or later), not the usual 30-day readmission.{" "}
        <Term id="auc">AUC</Term> ranks the predicted risks (0.5 is chance); F1, precision and
        recall count a prediction as positive at a 0.5 probability cut-off. Every term is explained
        in the <a href="#glossary-heading">glossary</a> at the end.
      </p>
      {summary ? (
        <dl className="stats" aria-label="Key figures">
          <StatCard
            label="Current Production Model"
            value={production ? `v${production.version}` : DASH}
            detail={<ProductionDetail summary={summary} />}
          />
          <StatCard
            label="Batches Processed"
            value={formatCount(summary.batches_processed)}
            detail={`of ${formatCount(summary.total_batches)} batches after the baseline`}
          />
          <StatCard
            label="Retraining Events"
            value={formatCount(summary.retraining_events)}
            detail={`${formatCount(summary.deployments)} deployed to Production`}
          />
        </dl>
      ) : (
        <div className="stats" aria-busy="true" aria-label="Loading key figures">
          {[0, 1, 2].map((key) => (
            <div className="stat stat--skeleton" key={key}>
              <span className="skeleton skeleton--label" />
              <span className="skeleton skeleton--value" />
            </div>
          ))}
        </div>
      )}
      {summary?.bottom_line && summary.bottom_line.length > 0 && (
        <section className="bottom-line" aria-labelledby="bottom-line-heading">
          <h2 id="bottom-line-heading" className="bottom-line__heading">
            Bottom line
          </h2>
          {summary.bottom_line.map((sentence) => (
            <p key={sentence} className="bottom-line__sentence">
              {sentence}
            </p>
          ))}
        </section>
      )}
    </header>
  );
}

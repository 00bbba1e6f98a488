import type { ReactNode } from "react";

import { ApiError } from "../../api/client";
import { BaselineMissing } from "./components/BaselineMissing";
import { BatchCard } from "./components/batch-card/BatchCard";
import { DriftChart } from "./components/DriftChart";
import { FinalSummary } from "./components/FinalSummary";
import { Hero } from "./components/Hero";
import { RetrainingSection } from "./components/evidence/RetrainingSection";
import { MetricsTable } from "./components/MetricsTable";
import { EmptyState, ErrorState, ReportSkeleton, StaleNotice } from "./components/States";
import { useBatches, useSummary } from "./queries";

import "./report.css";
import { Term } from "../../components/glossary/Term";

const TABLE_ID = "metrics-table";

/**
 * The report, top to bottom: hero, experiment summary, one card per batch, final summary.
 * `children` are the sections other features add after the retraining evidence (the app passes
 * the policy replay); like every section, they show once the report has loaded.
 */
export function ReportPage({ children }: { children?: ReactNode }) {
  const summary = useSummary();
  const batches = useBatches();

  const failure = summary.error ?? batches.error;
  const retry = () => {
    void summary.refetch();
    void batches.refetch();
  };

  let body;
  if (failure) {
    const unreachable = !(failure instanceof ApiError && failure.status !== undefined);
    body = <ErrorState message={failure.message} unreachable={unreachable} onRetry={retry} />;
  } else if (!summary.data || !batches.data) {
    body = <ReportSkeleton />;
  } else if (batches.data.batches.length === 0 && !summary.data.has_baseline) {
    body = <EmptyState />;
  } else {
    const results = batches.data.batches;
    body = (
      <>
        {(summary.data.stale || batches.data.stale) && <StaleNotice />}
        <section className="section" aria-labelledby="experiment-summary-heading">
          <h2 id="experiment-summary-heading">Experiment summary</h2>
          <p className="section__lede">
            Each batch&rsquo;s <Term id="drift-share">drift share</Term> is the fraction of analysed
            columns whose distribution moved away from the training data. At or above its
            run&rsquo;s <Term id="threshold">threshold</Term> the pipeline retrains (a retrain can
            also be forced); the colours show the pipeline&rsquo;s own verdict.
          </p>
          <div className="panel">
            <h3>Drift progression</h3>
            <DriftChart batches={results} describedBy={TABLE_ID} />
          </div>
          <div className="panel">
            <h3>Metrics by batch</h3>
            <MetricsTable batches={results} id={TABLE_ID} />
          </div>
        </section>
        <RetrainingSection summary={summary.data} batches={results} />
        {children}
        <section className="section" aria-labelledby="batches-heading">
          <h2 id="batches-heading">Batch by batch</h2>
          <p className="section__lede">
            Batches 1&ndash;5 are constructed from later real encounters of the same data set: some
            drawn to resemble the training period, others reweighted, tilted towards other patients
            or with outcomes swapped, so that the drift is known in advance.
          </p>
          <div className="batch-list">
            {!summary.data.has_baseline && <BaselineMissing />}
            {results.map((result) => (
              <BatchCard key={result.batch} result={result} />
            ))}
          </div>
        </section>
        <FinalSummary summary={summary.data} />
      </>
    );
  }

  return (
    <div
      className="report"
      data-state={failure ? "error" : summary.data && batches.data ? "ready" : "loading"}
    >
      <Hero summary={summary.data} />
      {body}
    </div>
  );
}

import type { BatchResult } from "../../../../api/types";
import { decisionInfo, isBaseline } from "../../decisions";
import { DecisionBadge } from "../DecisionBadge";
import { BatchEvidence } from "../evidence/BatchEvidence";
import { BatchFooter } from "./BatchFooter";
import { BatchScores } from "./BatchScores";
import { DecisionSection } from "./DecisionSection";
import { DriftSection } from "./DriftSection";
import { RunNotes } from "./RunNotes";

import "./BatchCard.css";

/** Batch 0 says which model it captured: the Production model of that moment, by version. */
function BaselineSubtitle({ version }: { version: string | null | undefined }) {
  return (
    <p className="batch-card__subtitle">
      Baseline: {version ? `Production model version ${version}` : "the Production model"} on the
      initial test set
    </p>
  );
}

/** One batch: what the data did, what the pipeline decided, and how the models scored. */
export function BatchCard({ result }: { result: BatchResult }) {
  const baseline = isBaseline(result);
  const headingId = `batch-${result.batch}-heading`;
  return (
    <article
      className={`batch-card batch-card--${decisionInfo(result.decision).tone}`}
      aria-labelledby={headingId}
      data-batch={result.batch}
      data-worse-than-chance={result.deployed_worse_than_chance || undefined}
    >
      <header className="batch-card__header">
        <div>
          <h3 id={headingId}>Batch {result.batch}</h3>
          {baseline ? (
            <BaselineSubtitle version={result.production?.version} />
          ) : (
            result.drift?.profile_description && (
              <p className="batch-card__subtitle">
                What arrived: {result.drift.profile_description}
              </p>
            )
          )}
        </div>
        <DecisionBadge decision={result.decision} />
      </header>
      {!baseline && <DriftSection drift={result.drift} />}
      <DecisionSection result={result} />
      <BatchScores result={result} />
      <BatchEvidence result={result} />
      <RunNotes result={result} />
      <BatchFooter batch={result.batch} mlflowUrl={result.mlflow_url ?? null} />
    </article>
  );
}

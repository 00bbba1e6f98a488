import type { BatchResult } from "../../../../api/types";
import { isBaseline } from "../../decisions";
import {
  formatDifference,
  formatGateComparison,
  formatPercent,
  NOT_RECORDED,
  WORSE_THAN_CHANCE,
} from "../../evidence";
import { useBatches } from "../../queries";
import { AlarmOutcomeLine } from "./AlarmOutcomeLine";
import { AucWithInterval } from "./AucWithInterval";
import { EstimatePanel } from "./EstimatePanel";
import { CalibrationPanel } from "./CalibrationPanel";

import "./BatchEvidence.css";

/** The never-retrained model beside Production, the gate's paired comparison, and more. */
export function BatchEvidence({ result }: { result: BatchResult }) {
  const initialRate = useBatches().data?.initial_positive_rate ?? null;
  if (!result.quality_gate_run_id) return null;
  if (!result.evidence_recorded) {
    return (
      <p className="muted evidence-missing" data-evidence="missing">
        {NOT_RECORDED} the never-retrained model, intervals or calibration for this batch.
      </p>
    );
  }
  const baseline = isBaseline(result);
  const initial = result.initial;
  const gate = result.gate_comparison;
  const gateText = gate ? formatGateComparison(gate) : null;
  const net = result.net_effect ? formatDifference(result.net_effect) : null;
  return (
    <div className="batch-evidence" data-evidence="recorded">
      {result.deployed_worse_than_chance && (
        <p className="notice notice--error" role="note">
          The deployed model&rsquo;s AUC interval lies wholly below 0.5: it is {WORSE_THAN_CHANCE},
          and this deployment is not a success.
        </p>
      )}
      <dl className="facts">
        {initial && (
          <div>
            <dt>Never-retrained model{initial.version ? ` (v${initial.version})` : ""}</dt>
            <dd>
              AUC{" "}
              <AucWithInterval
                auc={initial.auc}
                low={initial.auc_ci_low}
                high={initial.auc_ci_high}
                worseThanChance={initial.worse_than_chance}
              />
            </dd>
          </div>
        )}
        {result.retrained && (
          <div>
            <dt>Candidate − Production (the gate&rsquo;s comparison)</dt>
            <dd className="gate-comparison">{gateText ?? `${NOT_RECORDED} its interval.`}</dd>
          </div>
        )}
        {!baseline && (
          <div>
            <dt>Net effect: Production after this batch − never-retrained</dt>
            <dd className="net-effect">{net ?? `${NOT_RECORDED} it.`}</dd>
          </div>
        )}
        <div>
          <dt>Readmitted (positive rate)</dt>
          <dd>
            {formatPercent(result.positive_rate)}
            {!baseline && initialRate !== null && (
              <span className="muted"> (initial test set: {formatPercent(initialRate)})</span>
            )}
          </dd>
        </div>
      </dl>
      {!baseline && <AlarmOutcomeLine result={result} />}
      {!baseline && <EstimatePanel result={result} />}
      <CalibrationPanel result={result} />
    </div>
  );
}

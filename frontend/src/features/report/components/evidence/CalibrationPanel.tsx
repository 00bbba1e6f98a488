import { useId, useState } from "react";

import { useApi } from "../../../../api/context";
import type { BatchResult } from "../../../../api/types";
import { formatScore, formatScoreAgainst } from "../../../../lib/format";
import { scoredModels } from "./scoredModels";
import { CALIBRATION_WORDS, NOT_RECORDED } from "../../evidence";
import { ReliabilityPanel } from "./ReliabilityPanel";

import "./CalibrationPanel.css";
import { Term } from "../../../../components/glossary/Term";

/** Brier score, ECE and calibration slope per model, with the reliability diagram on demand. */
export function CalibrationPanel({ result }: { result: BatchResult }) {
  // An exported report shows every diagram: it is read (and printed) without an API to ask.
  const api = useApi();
  const [open, setOpen] = useState(api.embedded !== undefined);
  const regionId = useId();
  const recorded = scoredModels(result).filter(([, scores]) => scores?.calibration);
  if (recorded.length === 0) {
    return <p className="muted">{NOT_RECORDED} the models&rsquo; calibration on this batch.</p>;
  }
  return (
    <div className="calibration">
      <div className="calibration__scroll">
        <table className="calibration__table">
          <caption>
            <Term id="calibration">Calibration</Term> (ideal: Brier and ECE low, slope 1;
            &ldquo;perfect&rdquo;: the ECE a perfectly calibrated model reaches 95 times in 100 on
            the same predictions)
          </caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">
                <Term id="brier">Brier</Term>
              </th>
              <th scope="col">
                <Term id="ece">ECE</Term>
              </th>
              <th scope="col">
                <Term id="slope">Slope</Term>
              </th>
              <th scope="col">Reading</th>
            </tr>
          </thead>
          <tbody>
            {recorded.map(([name, scores]) => {
              const [ece, eceBound] = formatScoreAgainst(
                scores?.calibration?.ece,
                scores?.calibration?.ece_null_p95,
              );
              return (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td data-label="Brier">{formatScore(scores?.calibration?.brier)}</td>
                  <td data-label="ECE">
                    {ece}
                    {typeof scores?.calibration?.ece_null_p95 === "number" && (
                      <span className="muted calibration__null">perfect: up to {eceBound}</span>
                    )}
                  </td>
                  <td data-label="Slope">
                    {formatScore(scores?.calibration?.slope)}
                    {typeof scores?.calibration?.slope_ci_low === "number" &&
                      typeof scores.calibration.slope_ci_high === "number" && (
                        <span className="muted calibration__null">
                          95% CI {formatScore(scores.calibration.slope_ci_low)} to{" "}
                          {formatScore(scores.calibration.slope_ci_high)}
                        </span>
                      )}
                  </td>
                  <td
                    data-label="Reading"
                    data-calibration-verdict={scores?.calibration?.verdict ?? "not-recorded"}
                  >
                    {scores?.calibration?.verdict
                      ? CALIBRATION_WORDS[scores.calibration.verdict]
                      : "not recorded"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <button
        type="button"
        className="button button--ghost calibration-toggle"
        aria-expanded={open}
        aria-controls={regionId}
        onClick={() => setOpen((value) => !value)}
      >
        <span aria-hidden="true">{open ? "▾" : "▸"}</span>{" "}
        {open ? "Hide reliability diagram" : "Show reliability diagram"}
      </button>
      <div id={regionId} hidden={!open} className="reliability-region">
        {open && <ReliabilityPanel batch={result.batch} />}
      </div>
    </div>
  );
}

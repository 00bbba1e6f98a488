import { useId, useState } from "react";

import { useApi } from "../../../../api/context";
import type { BatchResult, ModelScores } from "../../../../api/types";
import { formatScore } from "../../../../lib/format";
import { NOT_RECORDED } from "../../evidence";
import { ReliabilityPanel } from "./ReliabilityPanel";

import "./CalibrationPanel.css";
import { Term } from "../../../../components/glossary/Term";

function rows(result: BatchResult): Array<[string, ModelScores | null | undefined]> {
  return [
    ["Production", result.production],
    ...(result.retrained ? [["New model", result.new] as [string, ModelScores | null]] : []),
    ["Never-retrained", result.initial],
  ];
}

/** Brier score, ECE and calibration slope per model, with the reliability diagram on demand. */
export function CalibrationPanel({ result }: { result: BatchResult }) {
  // An exported report shows every diagram: it is read (and printed) without an API to ask.
  const api = useApi();
  const [open, setOpen] = useState(api.embedded !== undefined);
  const regionId = useId();
  const recorded = rows(result).filter(([, scores]) => scores?.calibration);
  if (recorded.length === 0) {
    return <p className="muted">{NOT_RECORDED} the models&rsquo; calibration on this batch.</p>;
  }
  return (
    <div className="calibration">
      <table className="calibration__table">
        <caption>
          <Term id="calibration">Calibration</Term> (ideal: Brier and ECE low, slope 1)
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
          </tr>
        </thead>
        <tbody>
          {recorded.map(([name, scores]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{formatScore(scores?.calibration?.brier)}</td>
              <td>{formatScore(scores?.calibration?.ece)}</td>
              <td>{formatScore(scores?.calibration?.slope)}</td>
            </tr>
          ))}
        </tbody>
      </table>
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

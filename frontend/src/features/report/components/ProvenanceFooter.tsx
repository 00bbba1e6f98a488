import { useApi } from "../../../api/context";
import type { Provenance, RunProvenance } from "../../../api/types";
import { DASH, safeHref } from "../../../lib/format";
import { useProvenance } from "../queries";

import "./ProvenanceFooter.css";

const SHORT_COMMIT = 12;

function RunId({ id, url }: { id: string | null; url: string | null }) {
  if (!id) return <>{DASH}</>;
  const href = safeHref(url);
  return href ? (
    <a className="link mono" href={href} target="_blank" rel="noreferrer noopener">
      {id}
    </a>
  ) : (
    <span className="mono">{id}</span>
  );
}

function formatOverlap(share: number | null | undefined): string {
  return typeof share === "number" ? `${(share * 100).toFixed(1)}%` : "not measured";
}

function RunsTable({ batches }: { batches: RunProvenance[] }) {
  const underAirflow = batches.some((row) => row.airflow_dag_run_id);
  return (
    <div
      className="table-scroll"
      tabIndex={0}
      role="region"
      aria-label="MLflow runs behind each batch"
    >
      <table className="provenance__runs">
        <caption className="visually-hidden">MLflow runs behind each batch</caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Drift run</th>
            <th scope="col">Quality-gate run</th>
            <th scope="col">Training run</th>
            <th scope="col">Production after</th>
            <th scope="col" title="share of the test rows whose patient is in any training data">
              Test patients in training
            </th>
            {underAirflow && <th scope="col">Airflow DAG run</th>}
          </tr>
        </thead>
        <tbody>
          {batches.map((row) => (
            <tr key={row.batch} data-batch={row.batch}>
              <th scope="row">{row.batch}</th>
              <td>
                <RunId id={row.drift_run_id} url={row.drift_run_url} />
              </td>
              <td>
                <RunId id={row.quality_gate_run_id} url={row.quality_gate_run_url} />
              </td>
              <td>
                <RunId id={row.training_run_id} url={null} />
              </td>
              <td>{row.model_version ? `version ${row.model_version}` : DASH}</td>
              <td data-patient-overlap>{formatOverlap(row.test_patient_overlap)}</td>
              {underAirflow && (
                <td>
                  <RunId id={row.airflow_dag_run_id} url={row.airflow_dag_run_url} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Facts({ stamp }: { stamp: Provenance }) {
  const versions = stamp.model_versions
    .map((v) => `${v.version}${v.stage ? ` (${v.stage})` : ""}`)
    .join(", ");
  const code = [
    stamp.project_version ? `healthpredict ${stamp.project_version}` : null,
    stamp.git_commit ? `commit ${stamp.git_commit.slice(0, SHORT_COMMIT)}` : null,
  ].filter(Boolean);
  return (
    <dl className="provenance__facts">
      <div>
        <dt>MLflow tracking URI</dt>
        <dd className="mono">{stamp.tracking_uri}</dd>
      </div>
      <div>
        <dt>Model</dt>
        <dd>
          {stamp.model_name}
          {stamp.production_version ? `, Production version ${stamp.production_version}` : ""}
          {versions && <span className="muted"> · versions {versions}</span>}
        </dd>
      </div>
      <div>
        <dt>Data sha256</dt>
        <dd className="mono">{stamp.data_sha256.length ? stamp.data_sha256.join(", ") : DASH}</dd>
      </div>
      <div>
        <dt>Seed</dt>
        <dd>{stamp.seeds.length ? stamp.seeds.join(", ") : DASH}</dd>
      </div>
      <div>
        <dt>Code</dt>
        <dd title={stamp.git_commit ?? undefined}>{code.length ? code.join(" · ") : DASH}</dd>
      </div>
      <div>
        <dt>Superseded runs skipped</dt>
        <dd>{stamp.superseded_runs}</dd>
      </div>
    </dl>
  );
}

/** Where every number comes from: on the live page and in the exported file. */
export function ProvenanceFooter() {
  const api = useApi();
  const provenance = useProvenance();
  const stamp = provenance.data;
  return (
    <footer className="provenance" aria-labelledby="provenance-heading">
      <h2 id="provenance-heading">Provenance</h2>
      {api.embedded && (
        <p className="provenance__export">
          Exported report: the data below is embedded in this file
          {api.embedded.generatedAt ? `, generated ${api.embedded.generatedAt}` : ""}.
        </p>
      )}
      {provenance.isError && (
        <p className="muted">The provenance could not be loaded: {provenance.error.message}</p>
      )}
      {stamp && (
        <>
          <Facts stamp={stamp} />
          <RunsTable batches={stamp.batches} />
        </>
      )}
    </footer>
  );
}

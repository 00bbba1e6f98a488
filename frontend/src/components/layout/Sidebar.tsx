import { useApi } from "../../api/context";
import { useRefresh, useReportConfig } from "../../api/queries";
import { DASH, safeHref } from "../../lib/format";
import { BreakableText } from "../BreakableText";

import "./Sidebar.css";

/** Where the data comes from, and the few actions a reader can take. Hidden in print. */
export function Sidebar() {
  const api = useApi();
  const config = useReportConfig();
  const refresh = useRefresh();
  const mlflowUi = safeHref(config.data?.mlflow_ui_url);
  const airflowUi = safeHref(config.data?.airflow_ui_url);

  return (
    <aside className="layout__menu menu" aria-labelledby="menu-heading">
      <div className="menu__inner">
        <p className="menu__brand">
          <span className="menu__logo" aria-hidden="true" />
          Health Predict
        </p>
        <h2 id="menu-heading" className="menu__heading">
          Data sources
        </h2>
        <dl className="menu__facts">
          <div>
            <dt>MLflow tracking URI</dt>
            <dd className="mono">
              <BreakableText text={config.data?.mlflow_tracking_uri ?? DASH} />
            </dd>
          </div>
          <div>
            <dt>API URL</dt>
            <dd className="mono">
              {api.embedded ? (
                "none: data embedded in this file"
              ) : (
                <BreakableText text={api.baseUrl} />
              )}
            </dd>
          </div>
        </dl>
        {!api.embedded && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => refresh.mutate()}
            disabled={refresh.isPending}
          >
            {refresh.isPending ? "Refreshing…" : "Refresh data"}
          </button>
        )}
        {api.exportUrl && (
          <a className="button button--ghost menu__download" href={api.exportUrl} download>
            Download report
          </a>
        )}
        <p className="menu__status" role="status">
          {refresh.isError
            ? `Refresh failed: ${refresh.error.message}`
            : refresh.isSuccess
              ? "Data refreshed from MLflow."
              : ""}
        </p>
        {config.isError && (
          <p className="menu__status menu__status--error">
            Configuration unavailable: {config.error.message}
          </p>
        )}
        {(mlflowUi || airflowUi) && (
          <ul className="menu__links">
            {mlflowUi && (
              <li>
                <a className="link" href={mlflowUi} target="_blank" rel="noreferrer noopener">
                  Open the MLflow UI ↗
                </a>
              </li>
            )}
            {airflowUi && (
              <li>
                <a className="link" href={airflowUi} target="_blank" rel="noreferrer noopener">
                  Open the Airflow UI ↗
                </a>
              </li>
            )}
          </ul>
        )}
      </div>
    </aside>
  );
}

import { useId, useState } from "react";

import { useApi } from "../../../../api/context";
import { safeHref } from "../../../../lib/format";
import { RocPanel } from "../RocCurve";

/** The ROC toggle (curves are fetched only once opened) and the link to the run in MLflow. */
export function BatchFooter({ batch, mlflowUrl }: { batch: number; mlflowUrl: string | null }) {
  // An exported report shows every curve: it is read (and printed) without an API to ask.
  const api = useApi();
  const [rocOpen, setRocOpen] = useState(api.embedded !== undefined);
  const rocId = useId();
  const mlflowHref = safeHref(mlflowUrl);
  return (
    <>
      <footer className="batch-card__footer">
        <button
          type="button"
          className="button button--ghost roc-toggle"
          aria-expanded={rocOpen}
          aria-controls={rocId}
          onClick={() => setRocOpen((open) => !open)}
        >
          <span aria-hidden="true" className="roc-toggle__icon">
            {rocOpen ? "▾" : "▸"}
          </span>{" "}
          {rocOpen ? "Hide ROC curve" : "Show ROC curve"}
        </button>
        {mlflowHref && (
          <a className="link" href={mlflowHref} target="_blank" rel="noreferrer noopener">
            Open in MLflow
          </a>
        )}
      </footer>
      <div id={rocId} hidden={!rocOpen} className="roc-region">
        {rocOpen && <RocPanel batch={batch} />}
      </div>
    </>
  );
}

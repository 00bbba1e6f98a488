/** Loading, failure and empty states of the report. */

export function ReportSkeleton() {
  return (
    <div className="report-skeleton" aria-busy="true">
      <span className="visually-hidden" role="status">
        Loading the experiment report…
      </span>
      <span className="skeleton skeleton--chart" />
      <span className="skeleton skeleton--table" />
      <span className="skeleton skeleton--card" />
      <span className="skeleton skeleton--card" />
    </div>
  );
}

interface ErrorStateProps {
  message: string;
  /** false when the API answered with an error (e.g. MLflow is down) rather than not at all. */
  unreachable: boolean;
  onRetry: () => void;
}

export function ErrorState({ message, unreachable, onRetry }: ErrorStateProps) {
  return (
    <section className="section state state--error" role="alert" aria-labelledby="error-heading">
      <h2 id="error-heading">
        {unreachable ? "The report API is unreachable" : "The report could not be loaded"}
      </h2>
      <p>{message}</p>
      <p className="muted">
        {unreachable ? (
          <>
            Start it with <code>healthpredict serve</code> (or <code>python -m backend</code>) and
            try again.
          </>
        ) : (
          <>Check that the MLflow tracking server named in the menu is running, then try again.</>
        )}
      </p>
      <button type="button" className="button button--primary" onClick={onRetry}>
        Retry
      </button>
    </section>
  );
}

export function EmptyState() {
  return (
    <section className="section state" aria-labelledby="empty-heading">
      <h2 id="empty-heading">No experiment results yet</h2>
      <p>
        The MLflow store this API reads holds no drift checks or quality-gate runs. Run the
        experiment, then press <strong>Refresh data</strong>:
      </p>
      <pre className="command">
        <code>make demo</code>
      </pre>
      <p className="muted">or, step by step:</p>
      <pre className="command">
        <code>healthpredict experiment run</code>
      </pre>
    </section>
  );
}

export function StaleNotice() {
  return (
    <p className="notice notice--warning" role="status">
      <strong>Showing the last good read.</strong> MLflow did not answer just now, so these results
      may be out of date. Use <em>Refresh data</em> to try again.
    </p>
  );
}

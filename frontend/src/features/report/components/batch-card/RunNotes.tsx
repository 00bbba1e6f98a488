import type { BatchResult } from "../../../../api/types";

/** Runs of this batch that the latest-run rule hid, said in words; nothing when there are none. */
export function RunNotes({ result }: { result: BatchResult }) {
  const { superseded_runs: superseded, unfinished_newer_runs: unfinished } = result;
  if (superseded === 0 && unfinished === 0) return null;
  return (
    <ul className="batch-card__notes">
      {superseded > 0 && (
        <li>
          {superseded} older or unfinished run{superseded === 1 ? "" : "s"} of this batch hidden:
          the latest finished run is shown.
        </li>
      )}
      {unfinished > 0 && (
        <li>
          {unfinished} newer run{unfinished === 1 ? " is" : "s are"} still running or failed; the
          last finished one is shown.
        </li>
      )}
    </ul>
  );
}

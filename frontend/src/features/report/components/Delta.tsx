import { formatDelta, type DeltaDirection } from "../../../lib/format";

import "./Delta.css";

interface DeltaProps {
  value: number | null | undefined;
  /** What the change is measured against, for the words beside the arrow ("Production"). */
  against: string;
}

/** A signed change with an arrow and words: colour is never the only signal. */
export function Delta({ value, against }: DeltaProps) {
  const delta = formatDelta(value);
  if (!delta.direction) return null;
  const words: Record<DeltaDirection, string> = {
    up: `higher than ${against}`,
    down: `lower than ${against}`,
    flat: `same as ${against}`,
  };
  return (
    <span className={`delta delta--${delta.direction}`} title={words[delta.direction]}>
      {delta.arrow && <span aria-hidden="true">{delta.arrow} </span>}
      {delta.text}
      <span className="visually-hidden"> ({words[delta.direction]})</span>
    </span>
  );
}

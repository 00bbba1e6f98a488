import { Fragment } from "react";

/** Separators after which a long URI or path may wrap: it breaks between parts, never mid-word. */
const BREAK_AFTER = /(?<=[/:.?&=_@-])/;

/** A long identifier (URI, path) that wraps cleanly on narrow screens. */
export function BreakableText({ text }: { text: string }) {
  const parts = text.split(BREAK_AFTER);
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {part}
          {index < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}

import type { ReactNode } from "react";

import { GLOSSARY, glossaryHref } from "./terms";

/**
 * A term linked to its glossary entry: a link works by keyboard and touch, and its title gives
 * the one-sentence definition on hover.
 */
export function Term({ id, children }: { id: string; children: ReactNode }) {
  const entry = GLOSSARY.find((item) => item.id === id);
  return (
    <a className="term" href={glossaryHref(id)} title={entry?.definition}>
      {children}
    </a>
  );
}

import { render } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

import type { Decision } from "../../../api/types";
import { DecisionBadge } from "./DecisionBadge";

/**
 * What a reader must understand from each badge, written from what the pipeline did (CONTRACT.md),
 * not copied from decisions.ts: the words that have to be there and the ones that would mislead.
 */
const READER_SEES: Array<[Decision | null, { says: RegExp[]; never: RegExp[] }]> = [
  // The reference every later batch is compared with: nothing was trained or deployed.
  ["BASELINE", { says: [/^baseline$/i], never: [/retrained/i, /deployed/i, /kept/i] }],
  // No drift verdict: nothing trained, Production stays.
  ["SKIP_NO_DRIFT", { says: [/^not retrained/i, /kept production/i], never: [/deployed/i] }],
  // Trained, and the candidate replaced Production.
  ["DEPLOY", { says: [/^retrained/i, /deployed/i], never: [/kept/i, /worse/i, /not /i] }],
  // Trained, deployed although it scored slightly below Production, for its fresher data.
  [
    "DEPLOY_REFRESH",
    { says: [/^retrained/i, /deployed/i, /slightly worse/i, /fresher data/i], never: [/kept/i] },
  ],
  // Trained, but the gate kept Production.
  ["SKIP", { says: [/^retrained/i, /kept production/i], never: [/deployed/i, /^not /i] }],
  // No finished gate run: no decision at all.
  [null, { says: [/no gate result/i], never: [/retrained/i, /deployed/i, /kept/i] }],
];

/** The text colour and border style each badge class gets in the stylesheet a reader is shown. */
function badgeStyles(): Map<string, { color: string; border: string }> {
  // Read from disk: the test run loads no CSS (vite.config.ts `css: false`).
  const badgeCss = readFileSync(resolve(import.meta.dirname, "DecisionBadge.css"), "utf8");
  const styles = new Map<string, { color: string; border: string }>();
  for (const [, name, body] of badgeCss.matchAll(/\.(badge--[a-z-]+)\s*\{([^}]*)\}/g)) {
    const color = /(?:^|[;\s])color:\s*([^;]+);/.exec(body ?? "")?.[1]?.trim() ?? "";
    const border = /border-style:\s*([^;]+);/.exec(body ?? "")?.[1]?.trim() ?? "solid";
    styles.set(name ?? "", { color, border });
  }
  return styles;
}

function renderBadge(decision: Decision | null) {
  const { container, unmount } = render(<DecisionBadge decision={decision} />);
  const badge = container.querySelector(".badge");
  if (!(badge instanceof HTMLElement)) throw new Error("no badge rendered");
  const tone = Array.from(badge.classList).find((name) => name.startsWith("badge--")) ?? "";
  const text = badge.textContent ?? "";
  unmount();
  return { text, tone };
}

describe("DecisionBadge", () => {
  it.each(READER_SEES)("says what %s means in words", (decision, { says, never }) => {
    const { text } = renderBadge(decision);
    for (const words of says) expect(text).toMatch(words);
    for (const words of never) expect(text).not.toMatch(words);
  });

  it("gives every decision its own words and its own colour", () => {
    const styles = badgeStyles();
    const badges = READER_SEES.map(([decision]) => renderBadge(decision));
    const colours = badges.map(({ tone }) => styles.get(tone)?.color);
    expect(colours.every((colour) => colour?.startsWith("var(--color-"))).toBe(true);
    expect(new Set(colours).size).toBe(READER_SEES.length);
    expect(new Set(badges.map(({ text }) => text)).size).toBe(READER_SEES.length);
  });

  it("outlines 'deployed although slightly worse' dashed, unlike a plain deployment", () => {
    const styles = badgeStyles();
    expect(styles.get(renderBadge("DEPLOY_REFRESH").tone)?.border).toBe("dashed");
    expect(styles.get(renderBadge("DEPLOY").tone)?.border).toBe("solid");
  });
});

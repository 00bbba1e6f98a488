import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Decision } from "../../../api/types";
import { DecisionBadge } from "./DecisionBadge";

/**
 * What each decision means for a reader, from CONTRACT.md (not from the label table the badge
 * uses): was a new model trained, and which model serves afterwards.
 */
const MEANING: Array<[Decision, { retrained: boolean; production: "new" | "kept" | null }]> = [
  ["BASELINE", { retrained: false, production: null }],
  ["SKIP_NO_DRIFT", { retrained: false, production: "kept" }],
  ["DEPLOY", { retrained: true, production: "new" }],
  ["DEPLOY_REFRESH", { retrained: true, production: "new" }],
  ["SKIP", { retrained: true, production: "kept" }],
];

function badgeOf(decision: Decision | null): HTMLElement {
  const { container } = render(<DecisionBadge decision={decision} />);
  const badge = container.querySelector<HTMLElement>(".badge");
  if (!badge) throw new Error("no badge drawn");
  return badge;
}

describe("DecisionBadge", () => {
  it.each(MEANING)("says in words what %s did", (decision, { retrained, production }) => {
    const words = badgeOf(decision).textContent ?? "";
    expect(/\bnot retrained\b/i.test(words)).toBe(!retrained && production !== null);
    expect(/^retrained\b/i.test(words)).toBe(retrained);
    expect(/\bdeployed\b/i.test(words)).toBe(production === "new");
    expect(/\bkept production\b/i.test(words)).toBe(production === "kept");
  });

  it("names the baseline and says when there is no gate result", () => {
    expect(badgeOf("BASELINE").textContent).toMatch(/^baseline$/i);
    expect(badgeOf(null).textContent).toMatch(/no gate result/i);
  });

  it("says that a refresh was deployed although it scored slightly worse", () => {
    expect(badgeOf("DEPLOY_REFRESH").textContent).toMatch(/slightly worse/i);
    expect(badgeOf("DEPLOY").textContent).not.toMatch(/worse/i);
  });

  it("gives every decision, and the missing one, words and a colour of its own", () => {
    const all: Array<Decision | null> = [...MEANING.map(([decision]) => decision), null];
    const badges = all.map(badgeOf);
    const texts = new Set(badges.map((badge) => badge.textContent));
    const tones = new Set(
      badges.map((badge) => Array.from(badge.classList).find((c) => c.startsWith("badge--"))),
    );
    expect(texts.size).toBe(all.length);
    expect(tones.size).toBe(all.length);
    expect(tones.has(undefined)).toBe(false);
  });

  it("keeps the logged decision on the element for the page's tests and tools", () => {
    expect(badgeOf("SKIP").dataset.decision).toBe("SKIP");
    expect(badgeOf(null).dataset.decision).toBe("none");
  });
});

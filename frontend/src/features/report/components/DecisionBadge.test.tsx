import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Decision } from "../../../api/types";
import { DecisionBadge } from "./DecisionBadge";

const EXPECTED: Array<[Decision | null, string, string]> = [
  ["BASELINE", "Baseline", "badge--baseline"],
  ["SKIP_NO_DRIFT", "Not retrained · kept Production", "badge--ok"],
  ["DEPLOY", "Retrained → deployed", "badge--deploy"],
  [
    "DEPLOY_REFRESH",
    "Retrained → deployed although slightly worse (fresher data)",
    "badge--refresh",
  ],
  ["SKIP", "Retrained → kept Production", "badge--kept"],
  [null, "No Gate Result", "badge--unknown"],
];

describe("DecisionBadge", () => {
  it.each(EXPECTED)("says %s in words (%s) with its own colour", (decision, text, tone) => {
    render(<DecisionBadge decision={decision} />);
    const badge = screen.getByText(text);
    expect(badge).toHaveClass("badge", tone);
  });

  it.each([
    ["SKIP", "DEPLOY"],
    ["DEPLOY_REFRESH", "DEPLOY"],
    ["DEPLOY_REFRESH", "SKIP"],
  ] as const)("tells %s apart from %s in words and colour", (first, second) => {
    const { container } = render(
      <>
        <DecisionBadge decision={first} />
        <DecisionBadge decision={second} />
      </>,
    );
    const [a, b] = Array.from(container.querySelectorAll(".badge"));
    expect(a?.className).not.toBe(b?.className);
    expect(a?.textContent).not.toBe(b?.textContent);
  });
});

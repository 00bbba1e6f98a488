import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Decision } from "../../../api/types";
import { DecisionBadge } from "./DecisionBadge";

const EXPECTED: Array<[Decision | null, string, string]> = [
  ["BASELINE", "Baseline", "badge--baseline"],
  ["SKIP_NO_DRIFT", "No Drift", "badge--ok"],
  ["DEPLOY", "Drift Detected → Retrained", "badge--drift"],
  ["DEPLOY_REFRESH", "Drift Detected → Retrained", "badge--drift"],
  ["SKIP", "Retrained → Kept Current Model", "badge--kept"],
  [null, "No Gate Result", "badge--unknown"],
];

describe("DecisionBadge", () => {
  it.each(EXPECTED)("says %s in words (%s) with its own colour", (decision, text, tone) => {
    render(<DecisionBadge decision={decision} />);
    const badge = screen.getByText(text);
    expect(badge).toHaveClass("badge", tone);
  });

  it("gives the gate's SKIP a colour different from a deployment", () => {
    const { container } = render(
      <>
        <DecisionBadge decision="SKIP" />
        <DecisionBadge decision="DEPLOY" />
      </>,
    );
    const [skip, deploy] = Array.from(container.querySelectorAll(".badge"));
    expect(skip?.className).not.toBe(deploy?.className);
  });
});

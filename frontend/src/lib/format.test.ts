import { describe, expect, it } from "vitest";

import {
  DASH,
  formatDelta,
  formatScore,
  formatScoreAgainst,
  formatShare,
  formatYesNo,
  safeHref,
} from "./format";

describe("format", () => {
  it("shows a dash for values that do not exist", () => {
    expect(formatScore(null)).toBe(DASH);
    expect(formatScore(undefined)).toBe(DASH);
    expect(formatScore(Number.NaN)).toBe(DASH);
    expect(formatShare(null)).toBe(DASH);
    expect(formatYesNo(null)).toBe(DASH);
    expect(formatDelta(null).text).toBe(DASH);
  });

  it("rounds scores to three decimals and shares to two", () => {
    expect(formatScore(0.68149)).toBe("0.681");
    expect(formatShare(0.3)).toBe("0.30");
  });

  it("shows a score and its bound with enough decimals to tell them apart", () => {
    expect(formatScoreAgainst(0.0615, 0.0614)).toEqual(["0.0615", "0.0614"]); // batch 3's ECE
    expect(formatScoreAgainst(0.083, 0.061)).toEqual(["0.083", "0.061"]);
    expect(formatScoreAgainst(0.05, 0.05)).toEqual(["0.050", "0.050"]); // equal: as they are
    expect(formatScoreAgainst(0.1234567, 0.1234561)).toEqual(["0.123457", "0.123456"]);
    expect(formatScoreAgainst(0.03, null)).toEqual(["0.030", DASH]);
  });

  it("puts the sign of a change in the text, not only in colour", () => {
    expect(formatDelta(0.0214)).toEqual({ text: "+0.021", direction: "up", arrow: "▲" });
    expect(formatDelta(-0.05)).toEqual({ text: "−0.050", direction: "down", arrow: "▼" });
    expect(formatDelta(0.0001).direction).toBe("flat");
  });

  it("links only http(s) URLs", () => {
    expect(safeHref("javascript:alert(1)")).toBeUndefined();
    expect(safeHref("not a url")).toBeUndefined();
    expect(safeHref("http://127.0.0.1:5000/#/runs/1")).toBe("http://127.0.0.1:5000/#/runs/1");
  });
});

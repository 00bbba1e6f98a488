/** Number formatting for the report: one place, and "—" wherever a value does not exist. */

export const DASH = "—";
const MINUS = "−";

function isNumber(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Model scores (AUC, F1, precision, recall): three decimals. */
export function formatScore(value: number | null | undefined): string {
  return isNumber(value) ? value.toFixed(3) : DASH;
}

/** A score and the bound it is read against (an ECE and its "perfect" limit): three decimals,
 * or as many more (up to six) as it takes for two different values not to print alike, so that
 * "0.061, perfect: up to 0.061" never sits beside a reading that says they differ. */
export function formatScoreAgainst(
  value: number | null | undefined,
  bound: number | null | undefined,
): [string, string] {
  if (!isNumber(value) || !isNumber(bound) || value === bound) {
    return [formatScore(value), formatScore(bound)];
  }
  let digits = 3;
  while (digits < 6 && value.toFixed(digits) === bound.toFixed(digits)) digits += 1;
  return [value.toFixed(digits), bound.toFixed(digits)];
}

/** Drift shares and thresholds (0..1): two decimals. */
export function formatShare(value: number | null | undefined): string {
  return isNumber(value) ? value.toFixed(2) : DASH;
}

export function formatCount(value: number | null | undefined): string {
  return isNumber(value) ? String(value) : DASH;
}

export function formatYesNo(value: boolean | null | undefined): string {
  if (value === true) return "Yes";
  if (value === false) return "No";
  return DASH;
}

export type DeltaDirection = "up" | "down" | "flat";

export interface FormattedDelta {
  /** Signed text such as "+0.012" or "−0.004"; "—" when unknown. */
  text: string;
  direction: DeltaDirection | null;
  arrow: string;
}

/** A change between two scores, with its sign in the text (colour is never the only signal). */
export function formatDelta(value: number | null | undefined): FormattedDelta {
  if (!isNumber(value)) return { text: DASH, direction: null, arrow: "" };
  const rounded = Number(value.toFixed(3));
  if (rounded === 0) return { text: "±0.000", direction: "flat", arrow: "" };
  if (rounded > 0) return { text: `+${rounded.toFixed(3)}`, direction: "up", arrow: "▲" };
  return { text: `${MINUS}${Math.abs(rounded).toFixed(3)}`, direction: "down", arrow: "▼" };
}

/** Only http(s) links from MLflow become clickable: never `javascript:` or other schemes. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A difference with its sign: "+0.004", "−0.013"; zero without a sign. */
export function formatSigned(value: number | null | undefined): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return DASH;
  const text = Math.abs(value).toFixed(3);
  if (Number(text) === 0) return text;
  return `${value > 0 ? "+" : "\u2212"}${text}`;
}

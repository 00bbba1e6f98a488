/** The look every chart's axes share: colours come from the CSS variables. */
export const AXIS_TICK = { fill: "var(--text-muted)", fontSize: 12 };
export const AXIS_LINE = { stroke: "var(--chart-axis)" };

/** An axis title in the charts' shared style: below the x axis, or up the y axis. */
export function axisTitle(value: string, axis: "x" | "y") {
  const shared = { value, fill: "var(--text-muted)", fontSize: 12 };
  return axis === "x"
    ? { ...shared, position: "insideBottom" as const, offset: -8 }
    : { ...shared, angle: -90, position: "insideLeft" as const, offset: 0 };
}

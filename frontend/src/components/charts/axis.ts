/** The look every chart's axes share: colours come from the CSS variables. */
export const AXIS_TICK = { fill: "var(--text-muted)", fontSize: 12 };
export const AXIS_LINE = { stroke: "var(--chart-axis)" };

import { ReferenceLine } from "recharts";

/**
 * The dashed y = x diagonal of a unit-square chart (chance on a ROC curve, perfect calibration on
 * a reliability diagram). Called as a function so recharts sees its own element.
 */
export function unitDiagonal() {
  return (
    <ReferenceLine
      segment={[
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]}
      stroke="var(--chart-axis)"
      strokeDasharray="4 4"
    />
  );
}

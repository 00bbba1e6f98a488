import type { ReactNode } from "react";

export interface LegendItem {
  key: string;
  name: string;
  colour: string;
  dash?: string | undefined;
  /** A marker drawn on the swatch (an SVG path centred on 17,6), when the series has one. */
  marker?: ReactNode;
}

/**
 * A chart's legend as a list in the page's flow, under the plot: it wraps at any width, so it
 * never covers data, and each swatch shows the series' dash (and marker), not colour alone.
 */
export function ChartLegend({ items }: { items: LegendItem[] }) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {items.map((item) => (
        <li key={item.key}>
          <svg width="34" height="12" aria-hidden="true" focusable="false">
            <line
              x1="1"
              x2="33"
              y1="6"
              y2="6"
              stroke={item.colour}
              strokeWidth="2"
              strokeDasharray={item.dash}
            />
            {item.marker}
          </svg>{" "}
          {item.name}
        </li>
      ))}
    </ul>
  );
}

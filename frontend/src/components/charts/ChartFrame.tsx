import { cloneElement, createContext, useContext, type ReactElement, type ReactNode } from "react";
import { ResponsiveContainer } from "recharts";

import "./charts.css";

const ChartWidthContext = createContext<number | undefined>(undefined);

/** Tests (jsdom has no layout) give charts a fixed width; the browser measures the container. */
export function ChartWidthProvider({
  width,
  children,
}: {
  width: number | undefined;
  children: ReactNode;
}) {
  return <ChartWidthContext.Provider value={width}>{children}</ChartWidthContext.Provider>;
}

interface ChartFrameProps {
  height: number;
  children: ReactElement<{ width?: number; height?: number }>;
}

/** Sizes one recharts chart: the container's width in the browser, a fixed one in tests. */
export function ChartFrame({ height, children }: ChartFrameProps) {
  const fixedWidth = useContext(ChartWidthContext);
  if (fixedWidth !== undefined) {
    return cloneElement(children, { width: fixedWidth, height });
  }
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 600, height }}>
      {children}
    </ResponsiveContainer>
  );
}

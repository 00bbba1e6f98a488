import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";

import type { ReportApi } from "../api/client";
import { ApiProvider } from "../api/ApiProvider";
import { ChartWidthProvider } from "../components/charts/ChartFrame";

interface AppProvidersProps {
  api: ReportApi;
  queryClient: QueryClient;
  /** Fixed chart width for environments without layout (jsdom); the browser leaves it unset. */
  chartWidth?: number;
  children: ReactNode;
}

export function AppProviders({ api, queryClient, chartWidth, children }: AppProvidersProps) {
  return (
    <QueryClientProvider client={queryClient}>
      <ApiProvider api={api}>
        <ChartWidthProvider width={chartWidth}>{children}</ChartWidthProvider>
      </ApiProvider>
    </QueryClientProvider>
  );
}

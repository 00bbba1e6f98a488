import { createContext, useContext } from "react";

import type { ReportApi } from "./client";

export const ApiContext = createContext<ReportApi | null>(null);

export function useApi(): ReportApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi needs an <ApiProvider> above it");
  return api;
}

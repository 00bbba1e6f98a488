import type { ReactNode } from "react";

import type { ReportApi } from "./client";
import { ApiContext } from "./context";

/** Gives every component the report API (HTTP in the app, fixtures in tests). */
export function ApiProvider({ api, children }: { api: ReportApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

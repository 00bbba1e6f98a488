import { render } from "@testing-library/react";
import type { ReactElement } from "react";

import { AppProviders } from "../app/AppProviders";
import { createQueryClient } from "../app/queryClient";
import { FixtureApi } from "./fixtures";

export const CHART_WIDTH = 720;

/** Renders `ui` with the app's providers, a fixture API and fixed-size charts. */
export function renderWithApi(ui: ReactElement, api: FixtureApi = new FixtureApi()) {
  const queryClient = createQueryClient({ retry: false });
  const result = render(
    <AppProviders api={api} queryClient={queryClient} chartWidth={CHART_WIDTH}>
      {ui}
    </AppProviders>,
  );
  return { ...result, api, queryClient };
}

import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FixtureApi } from "../../test/fixtures";
import { NO_POLICIES, POLICIES } from "../../test/policyFixtures";
import { renderWithApi } from "../../test/render";
import { PolicyReplay } from "./PolicyReplay";

describe("PolicyReplay", () => {
  it("shows the API's notes, a line per policy and the policy that ran highlighted", async () => {
    const { container } = renderWithApi(<PolicyReplay />);
    expect(
      await screen.findByRole("heading", { name: "What other policies would have done" }),
    ).toBeInTheDocument();
    for (const note of POLICIES.notes ?? [])
      expect(await screen.findByText(note)).toBeInTheDocument();
    expect(container.querySelectorAll(".policy-line")).toHaveLength(3);
    expect(container.querySelectorAll(".policy-line--configured")).toHaveLength(1);
    expect(screen.getByText("(the policy that ran)")).toBeInTheDocument();
  });

  it("states every AUC with its interval and outcome as text, and a table per policy", async () => {
    renderWithApi(<PolicyReplay />);
    const table = await screen.findByRole("table", { name: /AUC \(95% interval\)/ });
    const configured = within(table).getByRole("row", { name: /drift:all_data:initial \(ran\)/ });
    expect(configured).toHaveTextContent("0.433");
    expect(configured).toHaveTextContent("0.388–0.478 · retrained, deployed");
    const perPolicy = screen.getByRole("table", { name: /drift:recent_weighted:newest/ });
    expect(within(perPolicy).getByRole("row", { name: /Deploys/ })).toHaveTextContent("2");
    expect(within(perPolicy).getByRole("row", { name: /Worst batch/ })).toHaveTextContent(
      "batch 5: 0.513",
    );
    expect(screen.getByRole("table", { name: /the policy that ran/ })).toHaveClass(
      "policy-table--configured",
    );
  });

  it("says how to get a replay when the store has none", async () => {
    const api = new FixtureApi();
    api.policiesData = NO_POLICIES;
    renderWithApi(<PolicyReplay />, api);
    expect(await screen.findByText(/holds no finished policy replay/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });
});

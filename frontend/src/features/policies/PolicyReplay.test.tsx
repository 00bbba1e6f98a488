import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FixtureApi } from "../../test/fixtures";
import { FORWARD_POLICIES, NO_POLICIES, POLICIES } from "../../test/policyFixtures";
import { renderWithApi } from "../../test/render";
import { PolicyReplay } from "./PolicyReplay";

describe("PolicyReplay", () => {
  it("shows the API's notes and one summary row per policy, the policy that ran marked", async () => {
    renderWithApi(<PolicyReplay />);
    expect(
      await screen.findByRole("heading", { name: "What other policies would have done" }),
    ).toBeInTheDocument();
    for (const note of POLICIES.notes ?? [])
      expect(await screen.findByText(note)).toBeInTheDocument();
    const summary = screen.getByRole("table", { name: /did not record the forward-in-time/ });
    expect(within(summary).getAllByRole("row")).toHaveLength(4); // header + 3 policies
    const ran = within(summary).getByRole("row", { name: /drift:all_data:initial · ran/ });
    expect(ran).toHaveClass("row--configured");
    const recent = within(summary).getByRole("row", { name: /drift:recent_weighted:newest/ });
    expect(recent).toHaveTextContent("0.513 (batch 5)");
    expect(recent).toHaveTextContent("3 · 2");
  });

  it("states every AUC with its interval and outcome as text", async () => {
    renderWithApi(<PolicyReplay />);
    const table = await screen.findByRole("table", { name: /AUC \(95% interval\)/ });
    const configured = within(table).getByRole("row", { name: /drift:all_data:initial \(ran\)/ });
    expect(configured).toHaveTextContent("0.433");
    expect(configured).toHaveTextContent("0.388–0.478 · retrained, deployed");
  });

  it("shows the API's paired verdicts, in words, with the adjusted p, and a dot plot", async () => {
    const api = new FixtureApi();
    api.policiesData = FORWARD_POLICIES;
    const { container } = renderWithApi(<PolicyReplay />, api);
    const summary = await screen.findByRole("table", { name: /paired with the policy that ran/ });
    const never = within(summary).getByRole("row", { name: /Never retrain/ });
    expect(never).toHaveTextContent("−0.018");
    expect(never).toHaveTextContent("95% CI −0.032 to −0.003");
    expect(never).toHaveTextContent("worse than the policy that ran (adjusted p 0.037)");
    const recent = within(summary).getByRole("row", { name: /newest batch weighted half/ });
    expect(recent).toHaveTextContent("inconclusive (adjusted p 0.460)");
    expect(container.querySelectorAll(".policy-difference__dot")).toHaveLength(2);
  });

  it("says how to get a replay when the store has none", async () => {
    const api = new FixtureApi();
    api.policiesData = NO_POLICIES;
    renderWithApi(<PolicyReplay />, api);
    expect(await screen.findByText(/holds no finished policy replay/)).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });
});

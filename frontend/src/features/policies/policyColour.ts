import type { PolicyResult } from "../../api/types";

const PALETTE_SIZE = 6;

/** A policy's colour: the configured one has its own; the others cycle through the palette. */
export function policyColour(policy: PolicyResult, index: number): string {
  return policy.configured
    ? "var(--policy-configured)"
    : `var(--policy-${(index % PALETTE_SIZE) + 1})`;
}

import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Glossary } from "./Glossary";
import { Term } from "./Term";
import { GLOSSARY } from "./terms";

const SOURCES = import.meta.glob("../../**/*.tsx", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("Glossary", () => {
  it("lists every term once, each with a one-sentence definition and an anchor", () => {
    const { container } = render(<Glossary />);
    expect(screen.getByRole("heading", { name: "Glossary" })).toBeInTheDocument();
    const ids = GLOSSARY.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of GLOSSARY) {
      expect(container.querySelector(`#glossary-${entry.id}`)).toHaveTextContent(entry.term);
      // one sentence: a single full stop, at the end
      expect(entry.definition.trim().endsWith(".")).toBe(true);
    }
  });

  it("links a term to its entry with the definition as its title", () => {
    render(<Term id="auc">AUC</Term>);
    const link = screen.getByRole("link", { name: "AUC" });
    expect(link).toHaveAttribute("href", "#glossary-auc");
    expect(link.getAttribute("title")).toMatch(/0\.5 is no better than guessing/);
  });

  it("has an entry for every term the page links", () => {
    const used = new Set<string>();
    for (const source of Object.values(SOURCES))
      for (const match of source.matchAll(/<Term id="([a-z-]+)"/g)) used.add(match[1] ?? "");
    expect(used.size).toBeGreaterThan(8);
    const known = new Set(GLOSSARY.map((entry) => entry.id));
    expect([...used].filter((id) => !known.has(id))).toEqual([]);
  });
});

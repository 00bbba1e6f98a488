// @vitest-environment node
/**
 * The import rule fails the lint on a planted violation: each case lints a file that does not
 * exist, at a path inside src/, with the project's own ESLint config.
 */
import { ESLint } from "eslint";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const eslint = new ESLint({ cwd: FRONTEND });

/** The import-rule messages ESLint gives for `code` placed at `path` (relative to frontend/). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(FRONTEND, path) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === "local/restricted-paths")
    .map((message) => message.message);
}

describe("import boundaries", () => {
  it("fails a shared component that imports a feature", async () => {
    const errors = await boundaryErrors(
      "src/components/Planted.ts",
      'export { useBatches } from "../features/report/queries";\n',
    );
    expect(errors).toEqual([
      "'../features/report/queries': src/components is shared by every feature, so it never " +
        "imports one: move what both need here.",
    ]);
  });

  it("fails a feature that imports another feature, at any depth, statically or lazily", async () => {
    const code = [
      'import { usePolicies } from "../../policies/queries";',
      'export const later = () => import("../../policies/PolicyReplay");',
      "export { usePolicies };",
      "",
    ].join("\n");
    const errors = await boundaryErrors("src/features/report/components/Planted.ts", code);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^'\.\.\/\.\.\/policies\/queries': features never import each other/);
  });

  it("passes a feature importing itself and shared code, and the app joining features", async () => {
    const feature = [
      'import { useBatches } from "../queries";',
      'import { formatShare } from "../../../lib/format";',
      'import { ChartFrame } from "../../../components/charts/ChartFrame";',
      "export { useBatches, formatShare, ChartFrame };",
      "",
    ].join("\n");
    expect(await boundaryErrors("src/features/report/components/Planted.ts", feature)).toEqual([]);
    const app = [
      'import { PolicyReplay } from "../features/policies/PolicyReplay";',
      'import { ReportPage } from "../features/report/ReportPage";',
      "export { PolicyReplay, ReportPage };",
      "",
    ].join("\n");
    expect(await boundaryErrors("src/app/Planted.ts", app)).toEqual([]);
  });
});

import { readdirSync } from "node:fs";
import { resolve } from "node:path";

import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import reactRefresh from "eslint-plugin-react-refresh";
import globals from "globals";
import tseslint from "typescript-eslint";

import boundaries from "./lint/import-boundaries.js";

const SRC = resolve(import.meta.dirname, "src");
const FEATURES = resolve(SRC, "features");
const SHARED = "is shared by every feature, so it never imports one: move what both need here";

/** Every folder under src/features is a feature, so a new one is covered without a change here. */
const features = readdirSync(FEATURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Shared code never imports a feature; features never import each other (src/app joins them). */
const BOUNDARIES = [
  ...["components", "lib", "api"].map((folder) => ({
    target: resolve(SRC, folder),
    from: FEATURES,
    message: `src/${folder} ${SHARED}.`,
  })),
  ...features.map((feature) => ({
    target: resolve(FEATURES, feature),
    from: FEATURES,
    except: [feature],
    message:
      "features never import each other: move shared code to src/components or src/lib, or join the features in src/app.",
  })),
];

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/api/schema.d.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { ecmaVersion: 2022, globals: globals.browser },
    plugins: { "react-hooks": reactHooks, "react-refresh": reactRefresh, local: boundaries },
    rules: {
      "local/restricted-paths": ["error", { zones: BOUNDARIES }],
      ...reactHooks.configs.recommended.rules,
      "react-refresh/only-export-components": ["warn", { allowConstantExport: true }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: "Render MLflow strings as text, never as HTML.",
        },
        {
          selector: "Literal[value=/^#[0-9a-fA-F]{3,8}$/]",
          message: "Use a CSS variable from styles/tokens.css instead of a hex colour.",
        },
      ],
    },
  },
  {
    files: ["scripts/**/*.mjs", "lint/**/*.js", "*.js"],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: globals.node },
  },
);

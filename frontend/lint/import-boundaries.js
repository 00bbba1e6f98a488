/**
 * One-way imports in the frontend, as an ESLint rule with no extra package (what
 * eslint-plugin-import's `no-restricted-paths` does): each zone names the files it applies to
 * (`target`), the folder they may not import from (`from`), the sub-folders still allowed
 * (`except`) and the message that says what to do instead. Relative imports are resolved against
 * the importing file, so `../policies/queries` from `src/features/report/` is caught like any path.
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";

/** Whether `path` is `folder` or lies inside it. */
function inside(path, folder) {
  const rest = relative(folder, path);
  return rest === "" || (!rest.startsWith("..") && !isAbsolute(rest));
}

const restrictedPaths = {
  meta: {
    type: "problem",
    docs: { description: "Keep imports one-way between the frontend's folders." },
    schema: [
      {
        type: "object",
        properties: {
          zones: {
            type: "array",
            items: {
              type: "object",
              properties: {
                target: { type: "string" },
                from: { type: "string" },
                except: { type: "array", items: { type: "string" } },
                message: { type: "string" },
              },
              required: ["target", "from", "message"],
              additionalProperties: false,
            },
          },
        },
        required: ["zones"],
        additionalProperties: false,
      },
    ],
    messages: { restricted: "'{{source}}': {{message}}" },
  },
  create(context) {
    const file = context.filename;
    const zones = context.options[0].zones.filter((zone) => inside(file, zone.target));
    if (zones.length === 0) return {};

    function check(node) {
      const source = node.source;
      if (!source || source.type !== "Literal" || typeof source.value !== "string") return;
      if (!source.value.startsWith(".")) return;
      const imported = resolve(dirname(file), source.value);
      for (const zone of zones) {
        const allowed = (zone.except ?? []).some((folder) =>
          inside(imported, resolve(zone.from, folder)),
        );
        if (inside(imported, zone.from) && !allowed) {
          context.report({
            node: source,
            messageId: "restricted",
            data: { source: source.value, message: zone.message },
          });
        }
      }
    }

    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { "restricted-paths": restrictedPaths } };

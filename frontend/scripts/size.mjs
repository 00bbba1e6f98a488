// Print the production bundle's JavaScript size after gzip, and fail above the budget.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const assetsDir = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/assets");

let files;
try {
  files = readdirSync(assetsDir).filter((name) => name.endsWith(".js"));
} catch {
  console.error(`no build found in ${assetsDir}: run \`npm run build\` first`);
  process.exit(1);
}

let totalRaw = 0;
let totalGzip = 0;
for (const name of files.sort()) {
  const bytes = readFileSync(join(assetsDir, name));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  totalRaw += bytes.length;
  totalGzip += gzip;
  console.log(
    `${name}: ${(bytes.length / 1024).toFixed(1)} KB, ${(gzip / 1024).toFixed(1)} KB gzip`,
  );
}
const totalKb = totalGzip / 1024;
console.log(
  `total JS: ${(totalRaw / 1024).toFixed(1)} KB, ${totalKb.toFixed(1)} KB gzip (budget ${BUDGET_KB} KB)`,
);
if (totalKb > BUDGET_KB) {
  console.error(`JS bundle is ${totalKb.toFixed(1)} KB gzip, over the ${BUDGET_KB} KB budget`);
  process.exit(1);
}

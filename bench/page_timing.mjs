// Time until the report shows data, in Debian's headless Chromium: a first view (fresh browser
// context, the API's cache empty) and repeat views (fresh context, API cache warm). Prints JSON.
//
//   node bench/page_timing.mjs --url http://127.0.0.1:PORT/ [--repeats 3]
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
// playwright-core is a devDependency of the frontend: resolve it from there.
const require = createRequire(resolve(here, "../frontend/package.json"));
const { chromium } = require("playwright-core");

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    repeats: { type: "string", default: "3" },
    timeout: { type: "string", default: "60000" },
  },
});
if (!options.url) throw new Error("--url is required");
const timeout = Number(options.timeout);

const browser = await chromium.launch({
  executablePath: options.chromium,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

async function view() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(options.url, { waitUntil: "commit" });
    await page.waitForFunction(
      () =>
        document.querySelector('.report[data-state="ready"]') !== null &&
        document.querySelectorAll("article.batch-card").length > 0,
      null,
      { timeout },
    );
    // Milliseconds from navigation start, measured by the page itself.
    const shownMs = await page.evaluate(() => performance.now());
    const cards = await page.locator("article.batch-card").count();
    return { shownMs: Math.round(shownMs), cards };
  } finally {
    await context.close();
  }
}

const facts = { url: options.url };
try {
  facts.first = await view();
  facts.repeats = [];
  for (let i = 0; i < Number(options.repeats); i += 1) facts.repeats.push(await view());
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(facts)}\n`);

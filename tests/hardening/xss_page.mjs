// Loads the built report in Debian's headless Chromium and reports whether a given text shows
// literally, whether any <img src=x> exists, and whether any dialog fired. Prints JSON.
//
//   node tests/hardening/xss_page.mjs --url http://127.0.0.1:PORT/ --text '<img src=x ...>'
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
// playwright-core is a devDependency of the frontend: resolve it from there.
const require = createRequire(resolve(here, "../../frontend/package.json"));
const { chromium } = require("playwright-core");

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    text: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    timeout: { type: "string", default: "60000" },
  },
});
if (!options.url || !options.text) throw new Error("--url and --text are required");
const timeout = Number(options.timeout);

const browser = await chromium.launch({
  executablePath: options.chromium,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const facts = { dialogs: [], pageErrors: [] };
try {
  const page = await browser.newPage();
  page.on("dialog", async (dialog) => {
    facts.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => facts.pageErrors.push(error.message));
  await page.goto(options.url, { waitUntil: "commit" });
  await page.waitForFunction(
    () => document.querySelector('.report[data-state="ready"]') !== null,
    null,
    { timeout },
  );
  await page.waitForFunction(
    () => document.querySelectorAll("article.batch-card").length > 0,
    null,
    { timeout },
  );
  // Give an injected onerror handler the chance to fire before looking.
  await page.waitForTimeout(500);
  Object.assign(
    facts,
    await page.evaluate((text) => {
      const body = document.body.innerText;
      let count = 0;
      for (let at = body.indexOf(text); at !== -1; at = body.indexOf(text, at + 1)) count += 1;
      return {
        literalCount: count,
        imgX: document.querySelectorAll('img[src="x"]').length,
        cards: document.querySelectorAll("article.batch-card").length,
      };
    }, options.text),
  );
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(facts)}\n`);

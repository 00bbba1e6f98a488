// Opens an exported report from file:// in Debian's headless Chromium with the network off and
// every request blocked, and prints what a reader sees as JSON: sections, batch cards, ROC
// charts, the provenance footer, the requests the page attempted, console errors, dialogs, and
// how long until the data was on screen.
//
//   node tests/e2e/export_page.mjs --file report.html --batches 6 --out test-output/export
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
// playwright-core is a devDependency of the frontend: resolve it from there.
const require = createRequire(resolve(here, "../../frontend/package.json"));
const { chromium } = require("playwright-core");

const { values: options } = parseArgs({
  options: {
    file: { type: "string" },
    batches: { type: "string" },
    text: { type: "string", default: "" },
    out: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    timeout: { type: "string", default: "60000" },
  },
});
if (!options.file || !options.batches) throw new Error("--file and --batches are required");
const timeout = Number(options.timeout);
const expectedCards = Number(options.batches);
const fileUrl = pathToFileURL(resolve(options.file)).href;

const browser = await chromium.launch({
  executablePath: options.chromium,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const facts = { requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.setOffline(true);
  // Every request but the file itself is recorded and refused.
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url === fileUrl) return route.continue();
    facts.requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("request", (request) => {
    const url = request.url();
    if (url !== fileUrl && !url.startsWith("data:") && !facts.requests.includes(url)) {
      facts.requests.push(url);
    }
  });
  page.on("console", (message) => {
    if (message.type() === "error") facts.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => facts.pageErrors.push(error.message));
  page.on("dialog", async (dialog) => {
    facts.dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  const started = Date.now();
  await page.goto(fileUrl, { waitUntil: "commit" });
  // Data on screen: the report is ready, every card is drawn, every card's ROC panel settled.
  await page.waitForFunction(
    (cards) =>
      document.querySelector('.report[data-state="ready"]') !== null &&
      document.querySelectorAll("article.batch-card").length === cards &&
      document.querySelectorAll(".roc-panel:not([aria-busy])").length === cards &&
      document.querySelector(".provenance__runs") !== null,
    expectedCards,
    { timeout, polling: 20 },
  );
  facts.renderMs = Date.now() - started;
  facts.renderMsSinceNavigation = await page.evaluate(() => Math.round(performance.now()));
  await page.waitForTimeout(300); // an injected handler would have fired by now

  Object.assign(
    facts,
    await page.evaluate((text) => {
      const textOf = (node) => (node?.textContent ?? "").replace(/\s+/g, " ").trim();
      const body = document.body.innerText;
      let literalCount = 0;
      if (text) {
        for (let at = body.indexOf(text); at !== -1; at = body.indexOf(text, at + 1)) {
          literalCount += 1;
        }
      }
      return {
        mode: document.documentElement.dataset.reportMode ?? null,
        title: document.title,
        h1: textOf(document.querySelector("h1")),
        sections: Array.from(document.querySelectorAll("h2")).map(textOf),
        cards: Array.from(document.querySelectorAll("article.batch-card")).map((card) => ({
          batch: Number(card.getAttribute("data-batch")),
          heading: textOf(card.querySelector("h3")),
          text: textOf(card),
          rocCharts: card.querySelectorAll(".roc-chart").length,
          rocLines: card.querySelectorAll(".roc-chart .recharts-line-curve").length,
        })),
        driftBars: document.querySelectorAll(".drift-chart .recharts-bar-rectangle path").length,
        tableRows: document.querySelectorAll("#metrics-table tbody tr").length,
        hero: textOf(document.querySelector(".hero")),
        finalSummary: textOf(document.querySelector(".final-summary")),
        provenance: textOf(document.querySelector(".provenance")),
        refreshButtons: Array.from(document.querySelectorAll("button")).filter((b) =>
          /refresh/i.test(b.textContent ?? ""),
        ).length,
        literalCount,
        imgX: document.querySelectorAll('img[src="x"]').length,
        scripts: document.querySelectorAll("script").length,
      };
    }, options.text),
  );
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    facts.screenshot = join(options.out, "exported-report.png");
    await page.screenshot({ path: facts.screenshot, fullPage: true });
  }
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(facts)}\n`);

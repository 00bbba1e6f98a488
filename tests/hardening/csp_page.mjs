// Loads the report page, /docs and /redoc in Debian's headless Chromium with every request to
// another host blocked (no network), and reports, per page, the Content-Security-Policy
// violations, the blocked requests and whether the page rendered. Prints JSON.
//
//   node tests/hardening/csp_page.mjs --url http://127.0.0.1:PORT
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
    chromium: { type: "string", default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    timeout: { type: "string", default: "60000" },
  },
});
if (!options.url) throw new Error("--url is required");
const timeout = Number(options.timeout);
const origin = new URL(options.url).origin;

// What shows that each page rendered: the report's cards, Swagger UI's title, ReDoc's menu.
const PAGES = {
  "/": "article.batch-card",
  "/docs": "#swagger-ui .info .title",
  "/redoc": "[role=menuitem], .menu-content li",
};

const browser = await chromium.launch({
  executablePath: options.chromium,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const facts = {};
try {
  for (const [path, selector] of Object.entries(PAGES)) {
    const page = await browser.newPage();
    const seen = { violations: [], blocked: [], errors: [], rendered: false };
    await page.route("**/*", (route) =>
      new URL(route.request().url()).origin === origin || route.request().url().startsWith("blob:")
        ? route.continue()
        : (seen.blocked.push(route.request().url()), route.abort()),
    );
    await page.exposeFunction("reportViolation", (text) => seen.violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) =>
        window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    page.on("pageerror", (error) => seen.errors.push(error.message));
    await page.goto(`${origin}${path}`, { waitUntil: "load" });
    try {
      await page.waitForSelector(selector, { timeout });
      seen.rendered = true;
    } catch {
      seen.rendered = false;
    }
    await page.waitForTimeout(500);
    facts[path] = seen;
    await page.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(facts)}\n`);

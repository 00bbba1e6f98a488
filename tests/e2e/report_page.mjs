// Drives the built report page in Debian's headless Chromium and prints what a reader would see
// as JSON (the pytest in test_report_page.py asserts on it). Screenshots go to --out.
//
//   node tests/e2e/report_page.mjs --url http://127.0.0.1:PORT/ --out test-output/e2e
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
// playwright-core is a devDependency of the frontend: resolve it from there.
const require = createRequire(resolve(here, "../../frontend/package.json"));
const { chromium } = require("playwright-core");
// axe-core (a devDependency too) checks the page's accessibility in the browser.
const AXE = require.resolve("axe-core/axe.min.js");

const { values: options } = parseArgs({
  options: {
    url: { type: "string" },
    out: { type: "string", default: "test-output/e2e" },
    chromium: {
      type: "string",
      default: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    },
    timeout: { type: "string", default: "30000" },
  },
});
if (!options.url) throw new Error("--url is required");
const timeout = Number(options.timeout);
mkdirSync(options.out, { recursive: true });

const DESKTOP = { width: 1440, height: 900 };
const MOBILE = { width: 390, height: 844 };
const LAPTOP = { width: 1024, height: 768 };

const browser = await chromium.launch({
  executablePath: options.chromium,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
  ],
});

/** Waits until the report shows data: the page says it is ready and the chart has its bars. */
async function reportShown(page) {
  await page.waitForFunction(
    () =>
      document.querySelector('.report[data-state="ready"]') !== null &&
      document.querySelectorAll(".drift-chart .recharts-bar-rectangle path")
        .length > 0,
    null,
    { timeout },
  );
}

// Text boxes drawn over each other inside a chart (tick vs axis title, label vs label): pairs
// "chart: a / b" whose bounding boxes overlap by more than a pixel each way.
const chartTextOverlaps = () => {
  const pairs = [];
  for (const figure of document.querySelectorAll("figure.chart")) {
    const boxes = Array.from(figure.querySelectorAll("svg text"))
      .map((node) => [node.textContent.trim(), node.getBoundingClientRect()])
      .filter(([text, box]) => text && box.width > 0 && box.height > 0);
    boxes.forEach(([a, boxA], i) =>
      boxes.slice(i + 1).forEach(([b, boxB]) => {
        const overlapX = Math.min(boxA.right, boxB.right) - Math.max(boxA.left, boxB.left);
        const overlapY = Math.min(boxA.bottom, boxB.bottom) - Math.max(boxA.top, boxB.top);
        if (overlapX > 1 && overlapY > 1)
          pairs.push(`${figure.className.replace(/\s+/g, ".")}: ${a} / ${b}`);
      }),
    );
  }
  return pairs;
};

// The policy replay section loads on its own query (a store may hold no replay: then it says so).
const policiesShown = (page) =>
  page.waitForFunction(
    () => document.querySelector(".policy-replay .policy-notes, .policy-replay code") !== null,
    null,
    { timeout },
  );

const facts = { url: options.url, consoleErrors: [], screenshots: {} };
try {
  const context = await browser.newContext({
    viewport: DESKTOP,
    deviceScaleFactor: 1,
  });
  let page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on("console", (message) => {
    if (message.type() === "error") facts.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) =>
    facts.consoleErrors.push(`pageerror: ${error.message}`),
  );

  await page.goto(options.url, { waitUntil: "commit" });
  await reportShown(page);
  // Milliseconds from navigation start to the report showing data, measured by the page itself.
  facts.dataShownMs = Math.round(await page.evaluate(() => performance.now()));
  // Again with the API's cache warm (its first read of MLflow is behind it now).
  await page.reload({ waitUntil: "commit" });
  await page.waitForFunction(
    () => document.querySelector('.report[data-state="ready"]') !== null,
    null,
    { timeout },
  );
  facts.dataShownWarmMs = Math.round(await page.evaluate(() => performance.now()));
  // The policy replay section loads on its own query.
  await policiesShown(page);

  // The one report title comes from /summary: the heading and the tab must show it.
  facts.summaryTitle = await page.evaluate(
    async () => (await (await fetch("summary")).json()).title,
  );
  Object.assign(
    facts,
    await page.evaluate(() => {
      const text = (node) =>
        (node?.textContent ?? "").replace(/\s+/g, " ").trim();
      const headings = Array.from(document.querySelectorAll("h1, h2, h3")).map(
        (node) => ({
          level: Number(node.tagName.slice(1)),
          text: text(node),
        }),
      );
      const chart = document.querySelector(".drift-chart");
      const thresholdLine = chart?.querySelector(
        ".recharts-reference-line line",
      );
      const thresholdLabel = Array.from(
        chart?.querySelectorAll("svg text") ?? [],
      )
        .map(text)
        .find((value) => value.startsWith("threshold"));
      const replay = document.querySelector(".policy-replay");
      return {
        title: document.title,
        headings,
        policies: {
          rows: replay?.querySelectorAll(".policy-summary tbody tr").length ?? 0,
          configuredRows:
            replay?.querySelectorAll(".policy-summary tbody tr.row--configured").length ?? 0,
          dots: replay?.querySelectorAll(".policy-difference__dot").length ?? 0,
          verdicts: Array.from(replay?.querySelectorAll(".policy-verdict") ?? []).map(text),
          notes: Array.from(replay?.querySelectorAll(".policy-notes p") ?? []).map(text),
        },
        bottomLine: Array.from(document.querySelectorAll(".bottom-line__sentence")).map(text),
        batchCards: Array.from(document.querySelectorAll("article.batch-card")).map((card) => ({
          batch: card.getAttribute("data-batch"),
          heading: text(card.querySelector("h3")),
          badge: text(card.querySelector(".badge")),
          decision:
            card.querySelector(".badge")?.getAttribute("data-decision") ?? null,
          verdict: text(card.querySelector(".drift-verdict")),
          verdictTone:
            card.querySelector(".drift-verdict")?.getAttribute("data-tone") ??
            null,
          text: text(card),
        })),
        bars:
          chart?.querySelectorAll(".recharts-bar-rectangle path").length ?? 0,
        // Each bar's batch, colour tone and fill, as drawn.
        barTones: Array.from(
          chart?.querySelectorAll(".recharts-bar-rectangle path") ?? [],
        ).map((bar) => ({
          batch: bar.getAttribute("data-batch"),
          tone: bar.getAttribute("data-tone"),
          fill: getComputedStyle(bar).fill,
        })),
        legend: text(chart?.querySelector(".chart__legend")),
        threshold: {
          line: Boolean(thresholdLine),
          dashed: thresholdLine?.getAttribute("stroke-dasharray") ?? null,
          label: thresholdLabel ?? null,
        },
        tableRows: document.querySelectorAll(".metrics-table tbody tr").length,
        // The "Retrained?" column, row by row.
        tableRetrained: Array.from(
          document.querySelectorAll(".metrics-table tbody tr"),
        ).map((row) => text(row.querySelectorAll("td")[1])),
        chartDescribedBy: chart?.getAttribute("aria-describedby") ?? null,
        finalSummary: text(document.querySelector(".final-summary")),
        // Every AUC the page shows, with the interval beside it ("" when none was recorded),
        // and any "AUC 0.xxx" in the visible text that is not followed by its interval.
        aucs: Array.from(document.querySelectorAll("[data-auc]")).map((node) => ({
          auc: node.getAttribute("data-auc"),
          interval: node.getAttribute("data-auc-interval"),
        })),
        bareAucs: Array.from(
          document.querySelector("main")?.innerText.matchAll(/AUC\s+(\d\.\d{3})(?!\s*\(95% CI)/g) ?? [],
        ).map((match) => match[0]),
        retrainingTakeaway: text(document.querySelector(".retraining-takeaway")),
        retrainingChart: Boolean(document.querySelector("figure.retraining-effect svg")),
        chanceBand: {
          legend: text(chart?.querySelector("[data-chance-band]")),
          areas: chart?.querySelectorAll(".chance-band").length ?? 0,
        },
        notRecorded: Array.from(document.querySelectorAll("main *"))
          .filter((node) => node.children.length === 0 && /did not record/.test(node.textContent ?? ""))
          .length,
      };
    }),
  );

  facts.screenshots.desktop = join(options.out, "report-1440.png");
  await page.screenshot({ path: facts.screenshots.desktop, fullPage: true });
  // The first screen of the report, small enough for the README.
  const readmeClip = { x: 0, y: 0, width: DESKTOP.width, height: 1400 };
  // What a README reader sees in it: what lies wholly inside the clip, as drawn.
  facts.readmeShot = await page.evaluate((clipHeight) => {
    const whole = (node) => {
      const box = node.getBoundingClientRect();
      const top = box.top + window.scrollY;
      return box.height > 0 && top >= 0 && top + box.height <= clipHeight;
    };
    const text = (node) => (node.textContent ?? "").trim();
    const chart = document.querySelector(".drift-chart");
    return {
      height: clipHeight,
      title: Array.from(document.querySelectorAll("h1")).filter(whole).map(text),
      stats: Array.from(document.querySelectorAll(".hero .stat"))
        .filter(whole)
        .map((stat) => text(stat.querySelector(".stat__label"))),
      driftChart: chart !== null && whole(chart),
      driftBars: chart ? chart.querySelectorAll(".recharts-bar-rectangle path").length : 0,
    };
  }, readmeClip.height);
  facts.screenshots.readme = join(options.out, "report-1440-top.png");
  await page.screenshot({ path: facts.screenshots.readme, fullPage: true, clip: readmeClip });

  // Open the ROC curve of the first retrained batch (else the last card) and check it drew.
  const cards = page.locator("article.batch-card");
  const retrained = cards.filter({
    has: page.locator('.badge[data-decision^="DEPLOY"]'),
  });
  const card = (await retrained.count()) > 0 ? retrained.first() : cards.last();
  const rocBatch = await card.getAttribute("data-batch");
  await card.getByRole("button", { name: /show roc curve/i }).click();
  await card
    .locator("path.recharts-line-curve, .roc-panel.notice")
    .first()
    .waitFor({ state: "visible" });
  facts.roc = await card.evaluate((node) => {
    const paths = Array.from(node.querySelectorAll("path.recharts-line-curve"));
    return {
      expanded:
        node.querySelector(".roc-toggle")?.getAttribute("aria-expanded") ===
        "true",
      curves: paths.length,
      drawn: paths.some((path) => (path.getAttribute("d") ?? "").length > 20),
      legend: Array.from(
        node.querySelectorAll(".roc-chart .chart-legend li"),
      ).map((item) => (item.textContent ?? "").trim()),
      notice: node.querySelector(".roc-panel.notice")?.textContent ?? null,
    };
  });
  facts.roc.batch = rocBatch;
  facts.screenshots.roc = join(options.out, "roc-card-1440.png");
  await card.screenshot({ path: facts.screenshots.roc });

  // Print: the menu and the interactive parts disappear, nothing is expanded.
  await page.emulateMedia({ media: "print" });
  facts.print = await page.evaluate(() => ({
    menuHidden:
      getComputedStyle(document.querySelector(".layout__menu")).display ===
      "none",
    rocHidden: Array.from(document.querySelectorAll(".roc-region")).every(
      (node) => getComputedStyle(node).display === "none",
    ),
    buttonsHidden: Array.from(document.querySelectorAll("main button")).every(
      (node) => getComputedStyle(node).display === "none",
    ),
  }));
  await page.emulateMedia({ media: "screen" });
  facts.chartOverlaps = { desktop: await page.evaluate(chartTextOverlaps) };

  await context.close();

  // 1,024 px, a small laptop: the policy section fits without scrolling sideways, and nothing is
  // wider than the window.
  const laptop = await browser.newContext({ viewport: LAPTOP, deviceScaleFactor: 1 });
  page = await laptop.newPage();
  page.setDefaultTimeout(timeout);
  await page.goto(options.url, { waitUntil: "commit" });
  await reportShown(page);
  // The policy replay section loads on its own query (a store may hold no replay).
  await policiesShown(page);
  facts.laptop = await page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const tables = Array.from(document.querySelectorAll(".policy-replay table"));
    return {
      pageWidth: document.documentElement.scrollWidth,
      viewportWidth: viewport,
      // a table wider than the panel that holds it would scroll or spill
      policyTablesOverflow: tables
        .filter((table) => {
          const panel = table.closest(".panel") ?? table.parentElement;
          return table.scrollWidth > panel.clientWidth + 0.5;
        })
        .map((table) => table.className),
    };
  });
  facts.chartOverlaps.laptop = await page.evaluate(chartTextOverlaps);
  facts.screenshots.laptop = join(options.out, "report-1024.png");
  await page.screenshot({ path: facts.screenshots.laptop, fullPage: true });
  await laptop.close();

  // Phone width, opened as a phone would (not resized): nothing is wider than the screen; the
  // table scrolls inside its own box and says so.
  const phone = await browser.newContext({
    viewport: MOBILE,
    deviceScaleFactor: 1,
  });
  page = await phone.newPage();
  page.setDefaultTimeout(timeout);
  await page.goto(options.url, { waitUntil: "commit" });
  await reportShown(page);
  await page.waitForTimeout(300);
  facts.mobile = await page.evaluate(() => {
    const scroller = document.querySelector(".table-scroll");
    const viewport = document.documentElement.clientWidth;
    // An element may reach past the screen only inside a box that scrolls or clips it.
    const clipped = (node) => {
      for (
        let parent = node.parentElement;
        parent;
        parent = parent.parentElement
      ) {
        const box = parent.getBoundingClientRect();
        const inside = box.left >= -0.5 && box.right <= viewport + 0.5;
        if (inside && getComputedStyle(parent).overflowX !== "visible")
          return true;
      }
      return false;
    };
    const describe = (node) =>
      `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ""}.${String(
        node.className?.baseVal ?? node.className,
      )
        .trim()
        .replace(/\s+/g, ".")}`;
    const tooWide = Array.from(document.body.querySelectorAll("*"))
      .filter((node) => {
        const box = node.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) return false;
        return (
          (box.right > viewport + 0.5 || box.left < -0.5) && !clipped(node)
        );
      })
      .map(describe);
    const chart = document.querySelector(".drift-chart svg.recharts-surface");
    const panel = document.querySelector(".drift-chart")?.closest(".panel");
    const scrollStyle = scroller ? getComputedStyle(scroller) : null;
    return {
      pageWidth: document.documentElement.scrollWidth,
      viewportWidth: window.innerWidth,
      tooWide,
      chartFitsCard:
        chart && panel
          ? chart.getBoundingClientRect().right <=
            panel.getBoundingClientRect().right
          : false,
      tableScrolls: scroller
        ? scroller.scrollWidth > scroller.clientWidth
        : false,
      tableScrollCue:
        document.querySelector(".table-scroll__hint") !== null &&
        getComputedStyle(document.querySelector(".table-scroll__hint"))
          .display !== "none",
      tableScrollbar: scrollStyle ? scrollStyle.overflowX : null,
      menuBeforeReport:
        document.querySelector(".layout__menu").getBoundingClientRect().top <
        document.querySelector(".layout__main").getBoundingClientRect().top,
      bars: document.querySelectorAll(
        ".drift-chart .recharts-bar-rectangle path",
      ).length,
      // The menu's actions (Refresh, Download) as pairs whose boxes overlap.
      overlappingActions: (() => {
        const boxes = Array.from(
          document.querySelectorAll(".layout__menu .button"),
        ).map((node) => [node.textContent.trim(), node.getBoundingClientRect()]);
        const pairs = [];
        boxes.forEach(([a, boxA], i) =>
          boxes.slice(i + 1).forEach(([b, boxB]) => {
            const apart =
              boxA.right <= boxB.left ||
              boxB.right <= boxA.left ||
              boxA.bottom <= boxB.top ||
              boxB.bottom <= boxA.top;
            if (!apart) pairs.push(`${a} / ${b}`);
          }),
        );
        return pairs;
      })(),
    };
  });
  facts.chartOverlaps.phone = await page.evaluate(chartTextOverlaps);
  facts.screenshots.mobileTop = join(options.out, "report-390-top.png");
  await page.screenshot({
    path: facts.screenshots.mobileTop,
    clip: { x: 0, y: 0, width: MOBILE.width, height: 1600 },
    fullPage: true,
  });
  facts.screenshots.mobile = join(options.out, "report-390.png");
  await page.screenshot({ path: facts.screenshots.mobile, fullPage: true });

  await phone.close();

  // Accessibility at both widths: axe-core's serious and critical violations. The page's CSP
  // refuses injected scripts, so this context alone bypasses it to load axe.
  facts.axe = {};
  for (const [name, viewport] of [
    ["desktop", DESKTOP],
    ["phone", MOBILE],
  ]) {
    const audited = await browser.newContext({ viewport, deviceScaleFactor: 1, bypassCSP: true });
    page = await audited.newPage();
    page.setDefaultTimeout(timeout);
    await page.goto(options.url, { waitUntil: "commit" });
    await reportShown(page);
    await policiesShown(page);
    await page.addScriptTag({ path: AXE });
    facts.axe[name] = await page.evaluate(async () =>
      (await window.axe.run(document, { resultTypes: ["violations"] })).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map(
          (v) =>
            `${v.id} (${v.impact}): ${v.nodes
              .slice(0, 3)
              .map((node) => node.target.join(" "))
              .join("; ")}`,
        ),
    );
    await audited.close();
  }
} finally {
  await browser.close();
}

process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);

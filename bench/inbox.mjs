// npm run bench:inbox: what a person waits for on the simulator's inbox page, in Debian's
// Chromium (CHROMIUM_PATH) driven by playwright-core:
//  1. a fresh page load, from navigation to the page saying it is live (its event stream open);
//  2. from a send arriving at the simulator to its text on the page, for texts sent one by one.
// A measurement, not a test: without Chromium it says so and exits 0.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { startSimulator } from "../dist/simulator/simulator.js";
import { percentile } from "./lib.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LOADS = 20;
const SENDS = 50;

if (!existsSync(CHROMIUM)) {
  console.log(`no Chromium at ${CHROMIUM}: install Debian's chromium, or set CHROMIUM_PATH`);
  process.exit(0);
}

const sim = await startSimulator();
const { twilio } = sim.accounts;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const page = await browser.newPage();
const live = () =>
  page.waitForFunction(() => document.getElementById("connection")?.dataset.live === "yes");

const loads = [];
for (let i = 0; i < LOADS; i++) {
  const started = performance.now();
  await page.goto(sim.url);
  await live();
  loads.push(performance.now() - started);
}

// Each send straight to the simulator's Twilio endpoint, so only the inbox's part is timed.
const auth = `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString("base64")}`;
const updates = [];
// The page notes when each text appears (wall clock, as this process reads it too).
await page.evaluate(() => {
  window.shownAt = {};
  new MutationObserver(() => {
    for (const node of document.querySelectorAll(".body")) {
      window.shownAt[node.textContent] ??= performance.timeOrigin + performance.now();
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
});
const now = () => performance.timeOrigin + performance.now();
for (let i = 0; i < SENDS; i++) {
  const body = `inbox bench ${i}`;
  const started = now();
  await fetch(`${sim.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ To: "+15551234567", From: twilio.numbers[0], Body: body }),
  });
  const shownAt = await (
    await page.waitForFunction((text) => window.shownAt[text], body)
  ).jsonValue();
  updates.push(shownAt - started);
}

await browser.close();
await sim.close();
const ms = (values, p) => `${percentile(values, p).toFixed(1)} ms`;
console.log(`page load to live (${LOADS} loads): p50 ${ms(loads, 50)}, p95 ${ms(loads, 95)}`);
console.log(
  `send to text on the page (${SENDS} sends, ${SENDS} texts shown at the end): p50 ${ms(updates, 50)}, p95 ${ms(updates, 95)}`,
);

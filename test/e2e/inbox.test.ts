// The simulator's inbox page in a real browser (Debian's Chromium, driven by playwright-core):
// texts sent through the real server over stdio appear live, escaped, in threads, with the
// provider's error for a failure recipient; the page asks nothing of any other origin, clears,
// reconnects to a restarted simulator, works by keyboard and passes an accessibility audit.
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { browserStatus, launchChromium } from "../helpers/browser.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer } from "../helpers/stdioServer.js";

const status = browserStatus();
if (!status.available && process.env.CI === "true") {
  describe("the inbox page", () => {
    it("needs Chromium in CI (.ci/run installs chromium)", () => {
      throw new Error(status.reason);
    });
  });
}

const FRIEND = "+15551234567";
const OPTED_OUT = "+15005550002";
const HOSTILE = `<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>`;
const EMOJI = "See you at 3 🦷😀 — Dr. Smith";
const STORY = ["Your table is booked for 8pm.", HOSTILE, EMOJI];
/**
 * Waits for what a person would see: generous, since the machine may be busy; how fast the
 * page updates is not asserted here (see docs/benchmarks.md).
 */
const eventually = <T>(read: () => T | Promise<T>) =>
  expect.poll(read, { timeout: 10_000, interval: 25 });
const SHOTS = mkdtempSync(join(tmpdir(), "sms-mcp-inbox-shots-"));

describe.skipIf(!status.available)(
  `the simulator's inbox page${status.available ? "" : ` (skipped: ${status.reason})`}`,
  () => {
    let sim: Simulator;
    let browser: Browser;
    let page: Page;
    let server: StdioServer;
    const requested: string[] = [];
    const dialogs: string[] = [];

    beforeAll(async () => {
      sim = await startSimulator();
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on("request", (request) => requested.push(request.url()));
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      server = await startStdioServer(storyEnv());
    });
    afterAll(async () => {
      await server?.close();
      await browser?.close();
      await sim?.close();
    });

    /** The simulator's account, and each test free to send the same texts again. */
    const storyEnv = () => ({
      ...providerEnv(sim, "twilio"),
      SMS_MCP_DUPLICATE_WINDOW_SECONDS: "0",
      SMS_MCP_RATE_PER_RECIPIENT: "1000/1h",
    });

    /**
     * Each test that reads texts starts from the same inbox: three texts to a friend and one
     * refused, sent afresh, with the page opened on a desktop window once they are all there.
     */
    async function theStory(): Promise<void> {
      sim.clear();
      for (const message of STORY) await server.call({ to_: FRIEND, message });
      await server.call({ to_: OPTED_OUT, message: "Last chance to save 20%" });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(sim.url);
      await eventually(() => page.locator(".text").count()).toBe(4);
      // Their delivery reports come in after them: the page is still once all three are in.
      await eventually(
        async () =>
          (await page.locator(".state-word").allTextContents()).filter(
            (word) => word === "delivered",
          ).length,
      ).toBe(3);
    }

    const threadTitles = () => page.locator(".thread-title").allTextContents();
    const bodiesIn = (to: string) =>
      page.locator(".thread", { has: page.getByRole("heading", { name: to }) }).locator(".body");

    it("opens with no texts and a live connection", async () => {
      sim.clear();
      await page.goto(sim.url);
      await eventually(() => page.getByRole("status").textContent()).toMatch(/^Live/);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Simulator inbox");
      expect(await page.locator("#empty").isVisible()).toBe(true);
    });

    it("shows each text as it is sent, in threads, newest last, escaped, without a reload", async () => {
      sim.clear();
      await page.goto(sim.url);
      await eventually(() => page.getByRole("status").textContent()).toMatch(/^Live/);
      await page.evaluate("window.__loaded = 1");
      for (const message of STORY) {
        const sent = await server.call({ to_: FRIEND, message });
        expect(sent.structuredContent).toMatchObject({ status: "sent" });
        // Live: the new text is on the page before the next is sent.
        await eventually(() => bodiesIn(FRIEND).last().textContent()).toBe(message);
      }
      const refused = await server.call({ to_: OPTED_OUT, message: "Last chance to save 20%" });
      expect(refused.isError).toBe(true);

      // The thread with the newest text first, as on a phone.
      await eventually(threadTitles).toEqual([OPTED_OUT, FRIEND]);
      expect(await bodiesIn(FRIEND).allTextContents()).toEqual(STORY);
      // The hostile body is text: no element was made of it, and nothing of it ran.
      expect(await page.locator(".threads img, .threads script").count()).toBe(0);
      expect(await page.evaluate("window.__pwned")).toBe(undefined);
      expect(dialogs).toEqual([]);
      expect(await page.evaluate("window.__loaded")).toBe(1);

      // The failure recipient's thread shows the error the provider answered.
      const failure = page.locator(".thread", {
        has: page.getByRole("heading", { name: OPTED_OUT }),
      });
      await eventually(() => failure.locator(".error").textContent()).toMatch(
        /^Error 21610: 400: Attempt to send to unsubscribed recipient$/,
      );
      expect(await failure.locator(".state-word").textContent()).toBe("refused");

      // Provider, sender, time, segments and encoding, and the delivery state as it settles.
      const emoji = page
        .locator(".thread", { has: page.getByRole("heading", { name: FRIEND }) })
        .locator(".text")
        .nth(2);
      const meta = await emoji.locator(".meta").textContent();
      expect(meta).toContain("Twilio");
      expect(meta).toContain(`from ${sim.accounts.twilio.numbers[0]}`);
      expect(meta).toContain("1 segment, UCS-2");
      expect(await emoji.locator("time").getAttribute("datetime")).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      );
      await eventually(() => emoji.locator(".state-word").textContent()).toBe("delivered");
    });

    it("on a phone: the thread index folded, the newest thread first, sent texts on the right", async () => {
      await theStory();
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
      try {
        await phone.goto(sim.url);
        await eventually(() => phone.locator(".thread-title").allTextContents()).toEqual([
          OPTED_OUT,
          FRIEND,
        ]);
        expect(await phone.locator("#index").getAttribute("open")).toBeNull();
        expect(await phone.locator("#thread-list").isVisible()).toBe(false);
        expect(await phone.locator("#index summary").isVisible()).toBe(true);
        // The first thread starts on the first screen, above the fold.
        const first = await phone.locator(".thread").first().boundingBox();
        expect(first?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(844 / 2);
        // A sent text's bubble hugs the right edge of its thread, in the sender's colour.
        const text = phone.locator(".thread .text").first();
        const [row, bubble] = await Promise.all([
          text.boundingBox(),
          text.locator(".body").boundingBox(),
        ]);
        expect(
          Math.abs((row?.x ?? 0) + (row?.width ?? 0) - ((bubble?.x ?? 0) + (bubble?.width ?? 0))),
        ).toBeLessThan(20);
        expect(
          await phone.evaluate<string>(
            "getComputedStyle(document.querySelector('.thread .text .body')).color",
          ),
        ).toBe("rgb(255, 255, 255)");
        // Unfolded, it lists the threads.
        await phone.locator("#index summary").click();
        expect(await phone.locator("#thread-list").isVisible()).toBe(true);
      } finally {
        await phone.close();
      }
      // On a wide window the index is open from the start.
      expect(await page.locator("#index").getAttribute("open")).not.toBeNull();
    });

    it("asks nothing of any origin but the simulator's", async () => {
      await theStory();
      expect(requested.length).toBeGreaterThan(0);
      const origin = new URL(sim.url).origin;
      expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    });

    it("is readable on a phone and on a desktop window (screenshots in the temp folder)", async () => {
      await theStory();
      for (const [name, viewport] of [
        ["phone", { width: 390, height: 844 }],
        ["desktop", { width: 1280, height: 800 }],
      ] as const) {
        await page.setViewportSize(viewport);
        const overflow = await page.evaluate<number>(
          "document.documentElement.scrollWidth - window.innerWidth",
        );
        expect(overflow, `${name}: nothing wider than the window`).toBeLessThanOrEqual(0);
        await eventually(
          async () => (await bodiesIn(FRIEND).first().boundingBox())?.width ?? 0,
        ).toBeGreaterThan(100);
        await page.screenshot({ path: join(SHOTS, `inbox-${name}.png`), fullPage: true });
      }
      process.stderr.write(`inbox screenshots: ${SHOTS}\n`);
    });

    it("works by keyboard: Tab reaches the clear button and each thread, Enter opens it", async () => {
      await theStory();
      const focused = () => page.evaluate<string>("document.activeElement?.textContent ?? ''");
      await page.locator("body").focus();
      const reached: string[] = [];
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press("Tab");
        reached.push(await focused());
      }
      expect(reached[0]).toBe("Clear all texts");
      expect(reached.some((text) => text.startsWith(FRIEND))).toBe(true);
      expect(reached.some((text) => text.startsWith(OPTED_OUT))).toBe(true);
      // Back to the second thread's link; Enter moves focus into that thread.
      for (let i = 0; i < 4 && !(await focused()).startsWith(OPTED_OUT); i++) {
        await page.keyboard.press("Shift+Tab");
      }
      await page.keyboard.press("Enter");
      expect(
        await page.evaluate<string>("document.activeElement?.querySelector('h2')?.textContent"),
      ).toBe(OPTED_OUT);
    });

    it("has no serious or critical accessibility violations (axe-core)", async () => {
      await theStory();
      // The page's own policy forbids injected scripts, so the audit runs in a context that
      // bypasses it; the page and its texts are the same.
      const context = await browser.newContext({ bypassCSP: true });
      const audited = await context.newPage();
      await audited.goto(sim.url);
      await eventually(() => audited.locator(".text").count()).toBe(4);
      await audited.addScriptTag({
        path: createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
      });
      const violations = await audited.evaluate<string[]>(
        "axe.run().then((r) => r.violations.map((v) => v.impact + ': ' + v.id))",
      );
      await context.close();
      expect(violations.filter((v) => /^(serious|critical):/.test(v))).toEqual([]);
    });

    it("the clear control empties the simulator's record", async () => {
      await theStory();
      expect(sim.requests().length).toBeGreaterThan(0);
      await page.getByRole("button", { name: "Clear all texts" }).click();
      await eventually(() => page.locator(".thread").count()).toBe(0);
      expect(sim.requests()).toEqual([]);
      expect(await page.locator("#empty").isVisible()).toBe(true);
    });

    it("reconnects by itself when the simulator restarts", async () => {
      await theStory();
      const port = Number(new URL(sim.url).port);
      await server.close();
      await sim.close();
      await eventually(() => page.getByRole("status").textContent()).toMatch(/^Reconnecting/);
      sim = await startSimulator({ port });
      server = await startStdioServer(storyEnv());
      await eventually(() => page.getByRole("status").textContent()).toMatch(/^Live/);
      await server.call({ to_: FRIEND, message: "Back again" });
      await eventually(() => bodiesIn(FRIEND).allTextContents()).toEqual(["Back again"]);
    });

    it("keeps the newest texts only, on the page as in the simulator", async () => {
      // A simulator of its own that keeps two texts, so the other tests keep theirs.
      const limited = await startSimulator({ inboxLimit: 2 });
      const sender = await startStdioServer(providerEnv(limited, "twilio"));
      const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const titles = () => tab.locator(".thread-title").allTextContents();
      const bodies = () =>
        tab
          .locator(".thread", { has: tab.getByRole("heading", { name: FRIEND }) })
          .locator(".body")
          .allTextContents();
      try {
        await tab.goto(limited.url);
        await eventually(() => tab.getByRole("status").textContent()).toMatch(/^Live/);
        const OTHER = "+15557654321";
        for (const [to, message] of [
          [OTHER, "First, soon forgotten"],
          [FRIEND, "Second"],
          [FRIEND, "Third"],
        ] as const) {
          await sender.call({ to_: to, message });
        }
        // The oldest went with its thread, live and after a reload alike.
        await eventually(titles).toEqual([FRIEND]);
        expect(await bodies()).toEqual(["Second", "Third"]);
        expect(await tab.locator(".thread-count").allTextContents()).toEqual(["2 texts"]);
        await tab.reload();
        await eventually(bodies).toEqual(["Second", "Third"]);
        expect(await titles()).toEqual([FRIEND]);
      } finally {
        await tab.close();
        await sender.close();
        await limited.close();
      }
    });
  },
);

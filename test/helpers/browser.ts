import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (`.ci/run` installs it); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function browserStatus(): { available: boolean; reason: string } {
  return existsSync(CHROMIUM_PATH)
    ? { available: true, reason: "" }
    : { available: false, reason: `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)` };
}

/**
 * Headless Chromium with a new empty profile (Playwright makes one). As root it needs --no-sandbox; the background
 * services stay off, since this machine's network is closed to everything but loopback.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// Settling an unknown Twilio attempt from the account's message list, against a fake Twilio
// written here whose list pages and whose clock disagrees with ours: the attempt's message is
// found past other texts to the same person and across a skew; an identical text that may be
// an earlier one, or a search that cannot finish, decides nothing (the caller says
// "unconfirmed"); only a complete search that finds nothing says "not sent".
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/createProvider.js";
import { SmsError } from "../../src/sms/errors.js";

const SID = `AC${"2".repeat(32)}`;
const TO = "+14155550123";
const FROM = "+14155550100";
const BODY = "Your table for two is booked for 7pm.";
const MINUTE = 60_000;

interface Listed {
  body: string;
  /** Twilio's clock: milliseconds since the epoch. */
  createdAt: number;
}

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

/** A Twilio whose message list holds `messages` (newest first), `pageSize` a page, or endless pages. */
async function fakeTwilio(messages: Listed[], options: { endless?: boolean } = {}) {
  let requests = 0;
  server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? "/", "http://x");
    const page = Number(url.searchParams.get("Page") ?? 0);
    const size = Number(url.searchParams.get("PageSize") ?? 50);
    const slice = options.endless
      ? Array.from({ length: size }, (_, i) => ({
          body: `other ${page}-${i}`,
          createdAt: Date.now(),
        }))
      : messages.slice(page * size, (page + 1) * size);
    const more = options.endless || (page + 1) * size < messages.length;
    const base = `/2010-04-01/Accounts/${SID}/Messages.json`;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        messages: slice.map((m, i) => ({
          sid: `SM${String(page * size + i).padStart(32, "0")}`,
          account_sid: SID,
          to: TO,
          from: FROM,
          body: m.body,
          direction: "outbound-api",
          status: "delivered",
          date_created: new Date(m.createdAt).toUTCString(),
        })),
        page,
        page_size: size,
        uri: `${base}?PageSize=${size}&Page=${page}`,
        next_page_uri: more
          ? `${base}?PageSize=${size}&Page=${page + 1}&PageToken=PA${page + 1}`
          : null,
      }),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const adapter = await createProvider({
    credentials: { provider: "twilio", accountSid: SID, secret: "fake-token" },
    apiBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    timeoutMs: 5000,
  });
  return { adapter, requests: () => requests };
}

const lookup = (since: number) => ({ to: TO, from: FROM, body: BODY, since });

describe("Twilio: finding an unknown attempt's message", () => {
  it("past 150 other texts to the same person since, by following the pages", async () => {
    const now = Date.now();
    const others = Array.from({ length: 150 }, (_, i) => ({
      body: `other ${i}`,
      createdAt: now - i,
    }));
    const { adapter, requests } = await fakeTwilio([
      ...others,
      { body: BODY, createdAt: now - 2 * MINUTE },
    ]);
    expect(await adapter.findSent?.(lookup(now - 2 * MINUTE))).toMatch(/^SM/);
    expect(requests()).toBeGreaterThan(1);
  });

  it.each([
    ["2 minutes fast", 2],
    ["4 minutes slow", -4],
  ])("with this machine's clock %s", async (_name, skewMinutes) => {
    const twilioNow = Date.now();
    const { adapter } = await fakeTwilio([{ body: BODY, createdAt: twilioNow }]);
    // The attempt's time as this machine's clock wrote it.
    expect(await adapter.findSent?.(lookup(twilioNow + skewMinutes * MINUTE))).toMatch(/^SM/);
  });

  it("an identical text far from the attempt (an earlier one, or a clock far off) decides nothing", async () => {
    const now = Date.now();
    const { adapter } = await fakeTwilio([{ body: BODY, createdAt: now - 40 * MINUTE }]);
    await expect(adapter.findSent?.(lookup(now))).rejects.toBeInstanceOf(SmsError);
  });

  it("a list that never ends decides nothing", async () => {
    const { adapter, requests } = await fakeTwilio([], { endless: true });
    await expect(adapter.findSent?.(lookup(Date.now()))).rejects.toBeInstanceOf(SmsError);
    expect(requests()).toBeLessThanOrEqual(20);
  });

  it("a complete search back a day past the attempt that finds nothing: not sent", async () => {
    const now = Date.now();
    const { adapter } = await fakeTwilio([
      { body: "something else", createdAt: now },
      { body: BODY, createdAt: now - 25 * 60 * MINUTE },
    ]);
    expect(await adapter.findSent?.(lookup(now))).toBeUndefined();
  });
});

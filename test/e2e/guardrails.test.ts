import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { startStdioServer, texts } from "../helpers/stdioServer.js";

const TO = "+15551234567";
const FRANCE = "+33612345678";
const PREMIUM_US = "+19002345678";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());

/** A fresh server (fresh guardrail state) with these settings, closed after `body`. */
async function withServer(
  settings: Record<string, string>,
  body: (
    call: (
      args: Record<string, unknown>,
    ) => ReturnType<Awaited<ReturnType<typeof startStdioServer>>["call"]>,
  ) => Promise<void>,
  args: string[] = [],
) {
  const server = await startStdioServer({ ...providerEnv(sim, "telnyx"), ...settings }, args);
  sim.clear();
  try {
    await body((a) => server.call(a));
  } finally {
    await server.close();
  }
}

async function expectRefused(
  result: Awaited<ReturnType<Awaited<ReturnType<typeof startStdioServer>>["call"]>>,
  category: string,
  reason: RegExp,
) {
  expect(result.isError).toBe(true);
  expect(texts(result)[0]).toBe("SMS couldn't be sent");
  expect(texts(result)[1]).toMatch(reason);
  expect(result.structuredContent?.error).toMatchObject({ category });
}

describe("duplicate suppression", () => {
  it("the same text to the same number is not sent twice, and says so", async () => {
    await withServer({}, async (call) => {
      const first = await call({ to_: TO, message: "Your code is 1234" });
      const again = await call({ to_: TO, message: "Your code is 1234" });
      expect(texts(again)).toEqual(["SMS sent.", JSON.stringify(again.structuredContent)]);
      expect(again.structuredContent).toMatchObject({
        status: "duplicate",
        duplicateOf: first.structuredContent?.messageId,
      });
      expect(sim.requests()).toHaveLength(1);
      await call({ to_: TO, message: "Your code is 5678" });
      expect(sim.requests()).toHaveLength(2);
    });
  });

  it("a window of 0 turns it off", async () => {
    await withServer({ SMS_MCP_DUPLICATE_WINDOW_SECONDS: "0" }, async (call) => {
      await call({ to_: TO, message: "Ping" });
      await call({ to_: TO, message: "Ping" });
      expect(sim.requests()).toHaveLength(2);
    });
  });
});

describe("recipient policy", () => {
  it("allowedCountries lists countries, or * allows all", async () => {
    await withServer({ SMS_MCP_ALLOWED_COUNTRIES: "FR" }, async (call) => {
      expect(texts(await call({ to_: FRANCE, message: "Bonjour" }))[0]).toBe("SMS sent.");
      await expectRefused(
        await call({ to_: "+15005550010", message: "Hi" }),
        "not_allowed",
        /US.*may only text FR/,
      );
    });
    await withServer({ SMS_MCP_ALLOWED_COUNTRIES: "*" }, async (call) => {
      expect(texts(await call({ to_: FRANCE, message: "Bonjour" }))[0]).toBe("SMS sent.");
    });
  });

  it("by default only the sender's country (here +1) can be texted, and no premium-rate number (SMS pumping); the policy can be relaxed", async () => {
    await withServer({}, async (call) => {
      await expectRefused(
        await call({ to_: FRANCE, message: "Bonjour" }),
        "not_allowed",
        /FR.*may only text/,
      );
      const result = await call({ to_: PREMIUM_US, message: "Hi" });
      await expectRefused(result, "not_allowed", /premium-rate number/);
      expect(result.structuredContent?.error).toMatchObject({ retryable: false });
      expect(sim.requests()).toHaveLength(0);
    });
    await withServer({ SMS_MCP_BLOCK_NON_MOBILE: "false" }, async (call) => {
      expect(texts(await call({ to_: PREMIUM_US, message: "Hi" }))[0]).toBe("SMS sent.");
    });
  });

  it("deny list refuses, allow list admits only its numbers (whatever their country)", async () => {
    await withServer({ SMS_MCP_DENY_LIST: TO }, async (call) => {
      await expectRefused(await call({ to_: TO, message: "Hi" }), "not_allowed", /deny list/);
    });
    await withServer({ SMS_MCP_ALLOW_LIST: `${FRANCE},+15005550011` }, async (call) => {
      await expectRefused(
        await call({ to_: TO, message: "Hi" }),
        "not_allowed",
        /not on this connection's allow list/,
      );
      expect(texts(await call({ to_: FRANCE, message: "Bonjour" }))[0]).toBe("SMS sent.");
      expect(sim.requests()).toHaveLength(1);
    });
  });
});

describe("rate limits", () => {
  it("per recipient: refuses with retryAfterSeconds, other recipients unaffected", async () => {
    await withServer({ SMS_MCP_RATE_PER_RECIPIENT: "2/1h" }, async (call) => {
      await call({ to_: TO, message: "one" });
      await call({ to_: TO, message: "two" });
      const third = await call({ to_: TO, message: "three" });
      await expectRefused(
        third,
        "rate_limited",
        /this recipient has reached its limit of 2 texts per hour; sending will be possible again in about 60 minutes/i,
      );
      const error = third.structuredContent?.error as {
        retryable: boolean;
        retryAfterSeconds: number;
      };
      expect(error.retryable).toBe(true);
      expect(error.retryAfterSeconds).toBeGreaterThan(3500);
      expect(error.retryAfterSeconds).toBeLessThanOrEqual(3600);
      expect(texts(await call({ to_: "+15005550012", message: "one" }))[0]).toBe("SMS sent.");
      expect(sim.requests()).toHaveLength(3);
    });
  });

  it("per connection, and a limit of 0 never suggests waiting", async () => {
    await withServer({ SMS_MCP_RATE_PER_CONNECTION: "1/24h" }, async (call) => {
      await call({ to_: TO, message: "one" });
      await expectRefused(
        await call({ to_: "+15005550013", message: "two" }),
        "rate_limited",
        /this connection has reached its limit of 1 texts per day/i,
      );
    });
    await withServer({ SMS_MCP_RATE_PER_RECIPIENT: "0/1h" }, async (call) => {
      const result = await call({ to_: TO, message: "one" });
      await expectRefused(
        result,
        "rate_limited",
        /limit for this recipient is 0, so nothing can be sent/,
      );
      expect(result.structuredContent?.error).toMatchObject({ retryable: false });
      expect((result.structuredContent?.error as object) ?? {}).not.toHaveProperty(
        "retryAfterSeconds",
      );
      expect(sim.requests()).toHaveLength(0);
    });
  });
});

describe("length and cost", () => {
  it("reports segments and encoding on every send, and refuses texts over the cap with the count", async () => {
    await withServer({ SMS_MCP_MAX_SEGMENTS: "2" }, async (call) => {
      const plain = await call({ to_: TO, message: "a".repeat(200) });
      expect(plain.structuredContent).toMatchObject({ segments: 2, encoding: "GSM-7" });
      const emoji = await call({ to_: TO, message: `${"a".repeat(100)} 🎉` });
      expect(emoji.structuredContent).toMatchObject({ segments: 2, encoding: "UCS-2" });
      await expectRefused(
        await call({ to_: TO, message: `${"b".repeat(140)} 🎉` }),
        "too_long",
        /needs 3 SMS segments.*UCS-2.*limit of 2/,
      );
      expect(sim.requests()).toHaveLength(2);
    });
  });
});

describe("dry run", () => {
  // SMS_MCP_DRY_RUN=1 reaches the same switch; it is proved end to end in audit.test.ts.
  it("serve --dry-run: every check runs, nothing is sent", async () => {
    await withServer(
      {},
      async (call) => {
        const result = await call({ to_: TO, message: "Practice run" });
        // The contract string first, then a block no reader can take for a real send.
        expect(texts(result)).toEqual([
          "SMS sent.",
          expect.stringMatching(/^This was a dry run: .*nothing was sent/),
          JSON.stringify(result.structuredContent),
        ]);
        expect(result.structuredContent).toMatchObject({ status: "dry_run" });
        await expectRefused(
          await call({ to_: FRANCE, message: "Bonjour" }),
          "not_allowed",
          /may only text/,
        );
        expect(sim.requests()).toHaveLength(0);
      },
      ["--dry-run"],
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  guardrailOverridesFromEnv,
  resolveGuardrails,
} from "../../src/config/guardrailSettings.js";
import {
  countryRule,
  emergencyRule,
  firstRefusal,
  type NumberFacts,
  segmentRule,
} from "../../src/sms/guardrails/rules.js";
import { DEFAULT_GUARDRAILS } from "../../src/sms/guardrails/settings.js";
import type { RateBucket } from "../../src/sms/ports/store.js";
import { MemoryGuardrailStore } from "../../src/state/memoryStore.js";

const facts = (over: Partial<NumberFacts>): NumberFacts => ({
  e164: "+15551234567",
  country: undefined,
  callingCode: "1",
  type: undefined,
  nationalNumber: "5551234567",
  ...over,
});

describe("rules", () => {
  it("emergency numbers are refused first, whatever else is configured", () => {
    const emergency = facts({ e164: "+1911", nationalNumber: "911" });
    const decision = firstRefusal([
      () => emergencyRule(emergency),
      () => ({ allowed: false, reason: "later rule", retryable: true, category: "not_allowed" }),
    ]);
    expect(decision).toMatchObject({
      allowed: false,
      retryable: false,
      reason: expect.stringMatching(/emergency/),
    });
  });

  it("countries: by ISO code when known, by calling code otherwise", () => {
    expect(countryRule(facts({ country: "CA" }), ["US"], ["1"]).allowed).toBe(false);
    expect(countryRule(facts({ country: "US" }), ["US"], ["1"]).allowed).toBe(true);
    expect(countryRule(facts({}), ["US"], ["1"]).allowed).toBe(true);
    expect(countryRule(facts({ callingCode: "44" }), ["US"], ["1"]).allowed).toBe(false);
    expect(countryRule(facts({ country: "FR" }), "*", []).allowed).toBe(true);
  });

  it("segments over the cap name the count and never suggest retrying", () => {
    expect(segmentRule(11, "GSM-7", 10)).toMatchObject({
      allowed: false,
      retryable: false,
      category: "too_long",
    });
    expect(segmentRule(10, "GSM-7", 10).allowed).toBe(true);
  });
});

describe("MemoryGuardrailStore", () => {
  const bucket = (key: string, limit: number, windowMs = 1000): RateBucket => ({
    key,
    limit,
    windowMs,
    label: key,
  });
  const consume = (store: MemoryGuardrailStore, buckets: RateBucket[], now: number) =>
    store.claim({ duplicate: undefined, buckets }, now);
  const claimDuplicate = (
    store: MemoryGuardrailStore,
    key: string,
    windowMs: number,
    now: number,
  ) => store.claim({ duplicate: { key, windowMs }, buckets: [] }, now);

  it("checks every bucket before consuming any", async () => {
    const store = new MemoryGuardrailStore();
    const refused = await consume(store, [bucket("a", 1), bucket("b", 0)], 0);
    expect(refused).toMatchObject({ kind: "rate_limited", retryAfterMs: undefined });
    // "a" was not consumed by the refused request.
    expect(await consume(store, [bucket("a", 1)], 1)).toEqual({ kind: "claimed" });
  });

  it("slides: a slot frees exactly one window after the oldest send", async () => {
    const store = new MemoryGuardrailStore();
    expect((await consume(store, [bucket("a", 2)], 0)).kind).toBe("claimed");
    expect((await consume(store, [bucket("a", 2)], 400)).kind).toBe("claimed");
    expect(await consume(store, [bucket("a", 2)], 500)).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: 500,
    });
    expect((await consume(store, [bucket("a", 2)], 1001)).kind).toBe("claimed");
  });

  it("duplicate claims: one holder, released on failure, expiring with the window", async () => {
    const store = new MemoryGuardrailStore();
    expect(await claimDuplicate(store, "k", 1000, 0)).toEqual({ kind: "claimed" });
    expect(await claimDuplicate(store, "k", 1000, 1)).toEqual({
      kind: "duplicate",
      messageId: undefined,
    });
    await store.settle("k", "SM1", 2);
    expect(await claimDuplicate(store, "k", 1000, 3)).toEqual({
      kind: "duplicate",
      messageId: "SM1",
    });
    expect(await claimDuplicate(store, "k", 1000, 1001)).toEqual({ kind: "claimed" });
    await store.settle("k", undefined, 1002);
    expect(await claimDuplicate(store, "k", 1000, 1003)).toEqual({ kind: "claimed" });
  });

  it("duplicates and rates in one step: a held key consumes no rate, a refused rate claims no key", async () => {
    const store = new MemoryGuardrailStore();
    const send = (now: number) =>
      store.claim({ duplicate: { key: "k", windowMs: 1000 }, buckets: [bucket("a", 1)] }, now);
    expect(await send(0)).toEqual({ kind: "claimed" });
    expect(await send(1)).toEqual({ kind: "duplicate", messageId: undefined });
    await store.settle("k", undefined, 2);
    // The first send consumed the only slot: the retry is refused, and leaves the key free.
    expect(await send(3)).toMatchObject({ kind: "rate_limited" });
    expect(await claimDuplicate(store, "k", 1000, 4)).toEqual({ kind: "claimed" });
  });

  it("forgets windows and claims that have aged out, so a long-running server stays flat", async () => {
    const store = new MemoryGuardrailStore();
    for (let i = 0; i < 1000; i++) {
      await consume(store, [bucket(`to:${i}`, 5)], i);
      await claimDuplicate(store, `k:${i}`, 1000, i);
    }
    expect(store.size).toBe(2000);
    // Long after every window: one recipient keeps sending, and the old entries go.
    for (let i = 0; i < 3000; i++) await consume(store, [bucket("to:regular", 1e9)], 10_000 + i);
    expect(store.size).toBe(1);
  });
});

describe("guardrail settings", () => {
  it("defaults, then the connection's config, then env", () => {
    const guardrailsFrom = (
      config: Parameters<typeof resolveGuardrails>[0],
      env: NodeJS.ProcessEnv,
    ) => resolveGuardrails(config, guardrailOverridesFromEnv(env));
    expect(guardrailsFrom(undefined, {})).toEqual(DEFAULT_GUARDRAILS);
    const s = guardrailsFrom(
      { maxSegments: 4, allowedCountries: ["US"] },
      {
        SMS_MCP_MAX_SEGMENTS: "3",
        SMS_MCP_RATE_PER_RECIPIENT: "10/30m",
        SMS_MCP_ALLOWED_COUNTRIES: "us, ca",
      },
    );
    expect(s).toMatchObject({
      maxSegments: 3,
      allowedCountries: ["US", "CA"],
      perRecipient: { limit: 10, windowSeconds: 1800 },
    });
  });

  it.each([
    ["SMS_MCP_RATE_PER_RECIPIENT", "five an hour", /count per window/],
    ["SMS_MCP_MAX_SEGMENTS", "0", /at least 1/],
    ["SMS_MCP_DRY_RUN", "maybe", /true or false/],
    ["SMS_MCP_ALLOW_LIST", "555-1234", /E\.164/],
    ["SMS_MCP_ALLOWED_COUNTRIES", "USA", /ISO country codes/],
  ])("%s=%s is a clear error naming the variable", (name, value, message) => {
    expect(() => guardrailOverridesFromEnv({ [name]: value })).toThrow(
      new RegExp(`${name} must be`),
    );
    expect(() => guardrailOverridesFromEnv({ [name]: value })).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { guardrailsFrom } from "../../src/config/guardrailSettings.js";
import {
  countryRule,
  emergencyRule,
  firstRefusal,
  type NumberFacts,
  segmentRule,
} from "../../src/sms/guardrails/rules.js";
import { DEFAULT_GUARDRAILS } from "../../src/sms/guardrails/settings.js";
import { MemoryGuardrailStore, type RateBucket } from "../../src/sms/guardrails/store.js";

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

  it("checks every bucket before consuming any", async () => {
    const store = new MemoryGuardrailStore();
    const refused = await store.consume([bucket("a", 1), bucket("b", 0)], 0);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: undefined });
    // "a" was not consumed by the refused request.
    expect(await store.consume([bucket("a", 1)], 1)).toEqual({ allowed: true });
  });

  it("slides: a slot frees exactly one window after the oldest send", async () => {
    const store = new MemoryGuardrailStore();
    expect((await store.consume([bucket("a", 2)], 0)).allowed).toBe(true);
    expect((await store.consume([bucket("a", 2)], 400)).allowed).toBe(true);
    expect(await store.consume([bucket("a", 2)], 500)).toMatchObject({
      allowed: false,
      retryAfterMs: 500,
    });
    expect((await store.consume([bucket("a", 2)], 1001)).allowed).toBe(true);
  });

  it("duplicate claims: one holder, released on failure, expiring with the window", async () => {
    const store = new MemoryGuardrailStore();
    expect(await store.claimDuplicate("k", 1000, 0)).toEqual({ claimed: true });
    expect(await store.claimDuplicate("k", 1000, 1)).toEqual({
      claimed: false,
      messageId: undefined,
    });
    await store.settleDuplicate("k", "SM1", 2);
    expect(await store.claimDuplicate("k", 1000, 3)).toEqual({ claimed: false, messageId: "SM1" });
    expect(await store.claimDuplicate("k", 1000, 1001)).toEqual({ claimed: true });
    await store.settleDuplicate("k", undefined, 1002);
    expect(await store.claimDuplicate("k", 1000, 1003)).toEqual({ claimed: true });
  });

  it("forgets windows and claims that have aged out, so a long-running server stays flat", async () => {
    const store = new MemoryGuardrailStore();
    for (let i = 0; i < 1000; i++) {
      await store.consume([bucket(`to:${i}`, 5)], i);
      await store.claimDuplicate(`k:${i}`, 1000, i);
    }
    expect(store.size).toBe(2000);
    // Long after every window: one recipient keeps sending, and the old entries go.
    for (let i = 0; i < 3000; i++) await store.consume([bucket("to:regular", 1e9)], 10_000 + i);
    expect(store.size).toBe(1);
  });
});

describe("guardrail settings", () => {
  it("defaults, then the connection's config, then env", () => {
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
    expect(() => guardrailsFrom(undefined, { [name]: value })).toThrow(
      new RegExp(`${name} must be`),
    );
    expect(() => guardrailsFrom(undefined, { [name]: value })).toThrow(message);
  });
});

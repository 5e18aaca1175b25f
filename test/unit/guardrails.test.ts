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
      () => ({
        allowed: false,
        rule: "denyList",
        reason: "later rule",
        retryable: true,
        category: "not_allowed",
      }),
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

  it("a link placeholder where no link may go stops the start, naming the template", () => {
    const templates = [
      { name: "code", text: "Your code is {code:digits}" },
      { name: "payment", text: "Pay at {link:link} today" },
    ];
    expect(() =>
      resolveGuardrails(
        { templates },
        guardrailOverridesFromEnv({ SMS_MCP_ALLOWED_LINK_DOMAINS: "none" }),
      ),
    ).toThrow(/template "payment" has a link placeholder, but allowedLinkDomains is "none"/);
    expect(
      resolveGuardrails({ templates, allowedLinkDomains: ["pay.example.com"] }, {}).templates,
    ).toHaveLength(2);
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

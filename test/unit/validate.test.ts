import { describe, expect, it } from "vitest";
import { SmsError } from "../../src/sms/errors.js";
import { validateSend } from "../../src/sms/validate.js";

const TO = "+12125550123";
const FROM = "+14155550100";
const CONNECTION = { id: "c", label: "C", provider: "twilio", defaultFrom: FROM } as const;

function refusal(args: unknown): SmsError {
  try {
    validateSend(args, CONNECTION);
  } catch (error) {
    if (error instanceof SmsError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("validateSend: message length counts characters, not UTF-16 units", () => {
  it("accepts 1600 emoji (3200 UTF-16 units)", () => {
    const valid = validateSend({ to_: TO, message: "👍".repeat(1600) }, CONNECTION);
    expect(valid.body).toHaveLength(3200);
  });

  it("refuses 1601 emoji, counting them as 1601 characters", () => {
    expect(refusal({ to_: TO, message: "👍".repeat(1601) })).toMatchObject({
      category: "too_long",
      reason: expect.stringMatching(/1601 characters long/),
    });
  });

  it("names a missing or mistyped argument", () => {
    expect(refusal({ message: "hi" }).reason).toBe("the to_ argument is missing");
    expect(refusal({ to_: 5, message: "hi" }).reason).toBe(
      "the to_ argument must be a string, not number",
    );
  });
});

describe("validateSend: a refusal quotes what it was given without its invisible characters", () => {
  const RLO = "\u202e";
  it.each([
    ["a to_ with a right-to-left override", { to_: `+1212${RLO}5550123`, message: "hi" }],
    ["a to_ with a line separator", { to_: "+1212\u20285550123 x", message: "hi" }],
    ["a from_ not on the connection", { to_: TO, message: "hi", from_: `+1415${RLO}5550199` }],
    ["an unexpected argument's name", { to_: TO, message: "hi", [`bcc${RLO}`]: "x" }],
  ])("%s", (_name, args) => {
    const { reason } = refusal(args);
    expect(reason).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
    expect(reason).toMatch(/"[^"]*"/);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkE164 } from "../../src/sms/phone.js";

const E164 = /^\+[1-9]\d{1,14}$/;

describe("checkE164", () => {
  it("accepts well-formed numbers of a possible length", () => {
    for (const n of ["+15551234567", "+447700900123", "+33612345678", "+61412345678"]) {
      expect(checkE164(n, "recipient")).toMatchObject({ ok: true, e164: n });
    }
  });

  it("never throws and never accepts a string that is not E.164", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (raw) => {
        const result = checkE164(raw, "recipient");
        if (result.ok) expect(result.e164).toMatch(E164);
        if (result.ok) expect(raw.trim()).toBe(result.e164);
      }),
      { numRuns: 2000 },
    );
  });

  it("never accepts digit strings with punctuation, spaces or no plus", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{7,15}$/),
        fc.constantFrom("", " ", "-", "(", "."),
        (digits, junk) => {
          const raw = `${digits.slice(0, 3)}${junk}${digits.slice(3)}`;
          expect(checkE164(raw, "recipient").ok).toBe(false);
        },
      ),
    );
  });

  it("refuses to guess a country for a national number", () => {
    const result = checkE164("2125551234", "recipient");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/no country code/);
      expect(result.reason).not.toContain("+212");
    }
  });

  it.each([
    ["(555) 123-4567", "1", "+15551234567"],
    ["2125551234", "1", "+12125551234"],
    ["07700 900123", "44", "+447700900123"],
    ["020 7946 0018", "44", "+442079460018"],
  ])(
    "%s under a +%s sender: refused, with the E.164 form to confirm with the person",
    (raw, callingCode, e164) => {
      const result = checkE164(raw, "recipient", callingCode);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toMatch(/no country code/);
        expect(result.reason).toContain(`if the person meant ${e164} `);
        expect(result.reason).toMatch(/confirm it with them/);
      }
    },
  );

  it("shows no E.164 form where the digits are not a possible number under the sender's code", () => {
    const result = checkE164("123456", "recipient", "1");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toMatch(/if the person meant/);
  });
});

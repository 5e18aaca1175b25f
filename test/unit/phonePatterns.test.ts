import fc from "fast-check";
import metadata from "libphonenumber-js/max/metadata";
import { describe, expect, it } from "vitest";
import matchesEntirely from "../../src/sms/phonePatterns.js";

/** Every string in these countries' metadata that reads as a number pattern. */
function patternsOf(countries: string[]): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string" && /\\d|\[/.test(value)) found.add(value);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  const byCountry = metadata.countries as unknown as Record<string, unknown>;
  for (const country of countries) visit(byCountry[country]);
  return [...found];
}

const PATTERNS = patternsOf(["US", "CA", "GB", "DE", "FR", "IN", "BR", "JM"]);

describe("compiled phone patterns (the bundle's matchesEntirely)", () => {
  it("answers like a freshly compiled whole-string match, however often a pattern is reused", () => {
    expect(PATTERNS.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(
        fc.constantFrom(...PATTERNS),
        fc.array(fc.stringMatching(/^[0-9]{0,13}$/), { minLength: 1, maxLength: 5 }),
        (pattern, texts) => {
          for (const text of texts) {
            expect(matchesEntirely(text, pattern)).toBe(new RegExp(`^(?:${pattern})$`).test(text));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("matches only the whole text, and treats a missing text as empty", () => {
    expect(matchesEntirely("2125551234", "[2-9]\\d{9}")).toBe(true);
    expect(matchesEntirely("21255512345", "[2-9]\\d{9}")).toBe(false);
    expect(matchesEntirely("x2125551234", "[2-9]\\d{9}")).toBe(false);
    expect(matchesEntirely(undefined, "\\d{0,2}")).toBe(true);
    expect(matchesEntirely(undefined, "\\d{3}")).toBe(false);
  });
});

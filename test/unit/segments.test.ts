import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countSegments } from "../../src/sms/segments.js";

describe("countSegments", () => {
  it.each([
    ["a".repeat(160), "GSM-7", 1],
    ["a".repeat(161), "GSM-7", 2],
    ["a".repeat(306), "GSM-7", 2],
    ["a".repeat(307), "GSM-7", 3],
    ["€".repeat(80), "GSM-7", 1],
    ["€".repeat(81), "GSM-7", 2],
    ["é".repeat(160), "GSM-7", 1],
    ["ł".repeat(70), "UCS-2", 1],
    ["ł".repeat(71), "UCS-2", 2],
    ["ł".repeat(134), "UCS-2", 2],
    ["ł".repeat(135), "UCS-2", 3],
    [`${"a".repeat(159)}👍`, "UCS-2", 3],
  ] as const)("%#: %s.length → %s, %i segment(s)", (body, encoding, segments) => {
    expect(countSegments(body)).toMatchObject({ encoding, segments });
  });

  it("never splits an extension character across parts (152 + escape pair)", () => {
    expect(countSegments(`${"a".repeat(152)}€${"a".repeat(152)}`).segments).toBe(3);
  });

  it("GSM-7 text: segments follow 160 / 153 per part", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 .,!?]{1,1600}$/), (body) => {
        const { encoding, segments } = countSegments(body);
        expect(encoding).toBe("GSM-7");
        expect(segments).toBe(body.length <= 160 ? 1 : Math.ceil(body.length / 153));
      }),
    );
  });

  it("any non-GSM character switches the whole text to UCS-2 at 70 / 67", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ]{0,400}$/), (prefix) => {
        const body = `${prefix}ł`;
        const { encoding, segments } = countSegments(body);
        expect(encoding).toBe("UCS-2");
        expect(segments).toBe(body.length <= 70 ? 1 : Math.ceil(body.length / 67));
      }),
    );
  });
});

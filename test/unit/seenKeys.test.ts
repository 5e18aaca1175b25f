import { describe, expect, it } from "vitest";
import { SeenKeys } from "../../src/sms/seenKeys.js";

describe("SeenKeys (a status callback's replay memory)", () => {
  it("refuses a key while its window lasts, and takes it again after", () => {
    const seen = new SeenKeys();
    expect(seen.firstSighting("sig", 1000, 0)).toBe(true);
    expect(seen.firstSighting("sig", 1000, 999)).toBe(false);
    expect(seen.firstSighting("other", 1000, 999)).toBe(true);
    expect(seen.firstSighting("sig", 1000, 1000)).toBe(true);
  });

  it("holds at most maxKeys, forgetting the oldest first", () => {
    const seen = new SeenKeys(3);
    for (const key of ["a", "b", "c", "d"]) expect(seen.firstSighting(key, 60_000, 0)).toBe(true);
    expect(seen.firstSighting("d", 60_000, 1)).toBe(false);
    expect(seen.firstSighting("c", 60_000, 1)).toBe(false);
    expect(seen.firstSighting("a", 60_000, 1)).toBe(true);
  });
});

// The ledger's line format. The lines below are pinned as earlier versions wrote them: a
// process of this version shares a state directory with older ones during an upgrade, so it
// must read their lines and write lines they read.
import { describe, expect, it } from "vitest";
import {
  encodeEntry,
  type LedgerEntry,
  ledgerText,
  parseLedgerLine,
} from "../../src/state/ledgerLines.js";

const EARLIER_LINES = {
  claim:
    '{"c":"a1","t":1700000000000,"o":"4242","k":"dup","w":600000,"b":[["to:+1",3600000,3]],"to":"+14155550123","from":"+14155550100","h":"ab"}',
  claimWithoutLimits: '{"c":"a2","t":5,"o":"1","b":[["conn",60000]]}',
  settle: '{"s":"a1","t":1700000000100,"r":"sent","m":"SM1"}',
  compactedClaim: '{"c":"a3","t":7,"o":"9","k":"dup2","w":1000,"b":[],"r":"unknown"}',
  bucket: '{"hk":"to:+1","w":3600000,"ts":[1,2,"x",3]}',
  moved: '{"moved":"4242-1700000000200"}',
};

describe("ledger lines", () => {
  it("reads every kind of line earlier versions wrote, with readable names", () => {
    expect(parseLedgerLine(EARLIER_LINES.claim)).toEqual({
      kind: "claim",
      attemptId: "a1",
      at: 1700000000000,
      owner: "4242",
      duplicate: { key: "dup", windowMs: 600000 },
      buckets: [{ key: "to:+1", windowMs: 3600000, limit: 3 }],
      to: "+14155550123",
      from: "+14155550100",
      bodySha256: "ab",
      outcome: undefined,
      messageId: undefined,
    });
    // A bucket recorded without its limit applies none (it still counts the send).
    expect(parseLedgerLine(EARLIER_LINES.claimWithoutLimits)).toMatchObject({
      duplicate: undefined,
      buckets: [{ key: "conn", windowMs: 60000, limit: Number.POSITIVE_INFINITY }],
    });
    expect(parseLedgerLine(EARLIER_LINES.settle)).toEqual({
      kind: "settle",
      attemptId: "a1",
      at: 1700000000100,
      outcome: "sent",
      messageId: "SM1",
    });
    expect(parseLedgerLine(EARLIER_LINES.compactedClaim)).toMatchObject({ outcome: "unknown" });
    expect(parseLedgerLine(EARLIER_LINES.bucket)).toEqual({
      kind: "bucket",
      key: "to:+1",
      windowMs: 3600000,
      times: [1, 2, 3],
    });
    expect(parseLedgerLine(EARLIER_LINES.moved)).toEqual({
      kind: "moved",
      by: "4242-1700000000200",
    });
  });

  it("writes the same lines back, so earlier versions read what this one writes", () => {
    for (const line of [EARLIER_LINES.claim, EARLIER_LINES.settle, EARLIER_LINES.moved]) {
      const entry = parseLedgerLine(line) as LedgerEntry;
      expect(JSON.parse(encodeEntry(entry))).toEqual(JSON.parse(line));
    }
  });

  it("a line that is torn, corrupted or of an unknown shape is unreadable, not a guess", () => {
    const whole = ledgerText([
      { kind: "settle", attemptId: "a1", at: 1, outcome: "failed", messageId: undefined },
    ]);
    expect(whole.endsWith("\n")).toBe(true);
    for (const line of [
      whole.slice(0, 12),
      "not json",
      "[1,2]",
      "null",
      '{"s":"a1","t":1,"r":"maybe"}',
      '{"c":"a1"}',
      '{"x":1}',
    ]) {
      expect(parseLedgerLine(line), line).toBeUndefined();
    }
  });
});

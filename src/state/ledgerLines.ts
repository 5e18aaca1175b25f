// The send ledger's line format: one JSON object per line, appended and read back by every
// process that shares the file. The code reads and writes entries with readable names; only
// `encodeEntry` and `parseLedgerLine` know the short keys on disk. Those stay as every earlier
// version wrote them: processes of two versions may share one state directory (a desktop
// host's bundle and a newer CLI during an upgrade), and each must read the other's claims.
import type { Settlement } from "../sms/ports/store.js";
import type { HeldKey } from "./ledgerState.js";

/** A rate bucket as a claim counted it. */
export interface CountedBucket {
  key: string;
  windowMs: number;
  /** Absent from lines of versions that did not record it: no limit is then applied. */
  limit: number;
}

/** A claimed attempt (write-ahead); compaction merges its outcome into it. */
export interface ClaimEntry {
  kind: "claim";
  attemptId: string;
  /** Claimed at (ms since the epoch, the claiming process's window clock). */
  at: number;
  /** The claiming process's pid. */
  owner: string;
  /** The duplicate key and how long this attempt holds it; absent when duplicates are let through. */
  duplicate?: { key: string; windowMs: number } | undefined;
  buckets: CountedBucket[];
  /** Recipient, sender and the body's SHA-256, for finding the text after a crash. */
  to?: string | undefined;
  from?: string | undefined;
  bodySha256?: string | undefined;
  /** Outcome, once compaction merged it in. */
  outcome?: HeldKey["state"] | undefined;
  /** Provider message id, with a `sent` outcome. */
  messageId?: string | undefined;
}

/** How an attempt ended. */
export interface SettleEntry {
  kind: "settle";
  attemptId: string;
  at: number;
  outcome: Settlement["outcome"];
  messageId?: string | undefined;
}

/** A rate bucket's recent claim times, written by compaction. */
export interface BucketEntry {
  kind: "bucket";
  key: string;
  /** The longest window it was claimed with. */
  windowMs: number;
  times: number[];
}

/** Written by a compactor: nothing after it in this file counts; a new file replaces it. */
export interface MovedEntry {
  kind: "moved";
  by: string;
}

export type LedgerEntry = ClaimEntry | SettleEntry | BucketEntry | MovedEntry;

/** One entry as its line on disk, without the newline. */
export function encodeEntry(entry: LedgerEntry): string {
  switch (entry.kind) {
    case "claim":
      return JSON.stringify({
        c: entry.attemptId,
        t: entry.at,
        o: entry.owner,
        k: entry.duplicate?.key,
        w: entry.duplicate?.windowMs,
        b: entry.buckets.map((bucket) => [bucket.key, bucket.windowMs, bucket.limit]),
        to: entry.to,
        from: entry.from,
        h: entry.bodySha256,
        r: entry.outcome,
        m: entry.messageId,
      });
    case "settle":
      return JSON.stringify({
        s: entry.attemptId,
        t: entry.at,
        r: entry.outcome,
        m: entry.messageId,
      });
    case "bucket":
      return JSON.stringify({ hk: entry.key, w: entry.windowMs, ts: entry.times });
    case "moved":
      return JSON.stringify({ moved: entry.by });
  }
}

/** Entries as they are appended: one line each, each ending with a newline. */
export function ledgerText(entries: readonly LedgerEntry[]): string {
  return entries.map((entry) => `${encodeEntry(entry)}\n`).join("");
}

const OUTCOMES: ReadonlySet<string> = new Set(["sent", "failed", "unknown", "pending"]);

/** One line of the file, or undefined when it cannot be read (torn by a crash, corrupted). */
export function parseLedgerLine(text: string): LedgerEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const line = parsed as Record<string, unknown>;
  const text_ = (key: string) =>
    typeof line[key] === "string" ? (line[key] as string) : undefined;
  const number = (key: string) =>
    typeof line[key] === "number" ? (line[key] as number) : undefined;
  const outcome = text_("r");
  const knownOutcome = outcome !== undefined && OUTCOMES.has(outcome) ? outcome : undefined;
  const attemptId = text_("c");
  const at = number("t");
  if (attemptId !== undefined && at !== undefined) {
    const key = text_("k");
    const windowMs = number("w");
    return {
      kind: "claim",
      attemptId,
      at,
      owner: String(line.o),
      duplicate: key !== undefined && windowMs !== undefined ? { key, windowMs } : undefined,
      buckets: bucketsOf(line.b),
      to: text_("to"),
      from: text_("from"),
      bodySha256: text_("h"),
      outcome: knownOutcome as ClaimEntry["outcome"],
      messageId: text_("m"),
    };
  }
  const settled = text_("s");
  if (settled !== undefined) {
    if (knownOutcome === undefined || knownOutcome === "pending") return undefined;
    return {
      kind: "settle",
      attemptId: settled,
      at: number("t") ?? 0,
      outcome: knownOutcome as Settlement["outcome"],
      messageId: text_("m"),
    };
  }
  const bucketKey = text_("hk");
  if (bucketKey !== undefined && Array.isArray(line.ts)) {
    return {
      kind: "bucket",
      key: bucketKey,
      windowMs: number("w") ?? 0,
      times: line.ts.filter((time): time is number => typeof time === "number"),
    };
  }
  if ("moved" in line) return { kind: "moved", by: String(line.moved) };
  return undefined;
}

/** A claim line's buckets; an entry that is not `[key, window, limit?]` is left out. */
function bucketsOf(value: unknown): CountedBucket[] {
  if (!Array.isArray(value)) return [];
  const buckets: CountedBucket[] = [];
  for (const item of value) {
    if (!Array.isArray(item)) continue;
    const [key, windowMs, limit] = item as unknown[];
    if (typeof key !== "string" || typeof windowMs !== "number") continue;
    buckets.push({
      key,
      windowMs,
      limit: typeof limit === "number" ? limit : Number.POSITIVE_INFINITY,
    });
  }
  return buckets;
}

/** What is live, as entries a fresh reader rebuilds it from: each held key, each bucket's times. */
export function liveEntries(
  held: ReadonlyArray<[string, HeldKey]>,
  hits: ReadonlyArray<[string, number, number[]]>,
): LedgerEntry[] {
  return [
    ...held.map(
      ([key, attempt]): ClaimEntry => ({
        kind: "claim",
        attemptId: attempt.attemptId,
        at: attempt.at,
        owner: attempt.owner,
        duplicate: { key, windowMs: attempt.expiresAt - attempt.at },
        buckets: [],
        outcome: attempt.state,
        messageId: attempt.messageId,
      }),
    ),
    ...hits.map(
      ([key, windowMs, times]): BucketEntry => ({ kind: "bucket", key, windowMs, times }),
    ),
  ];
}

// The send ledger's line format: one JSON object per line, appended and read back by every
// process that shares the file. The keys are short because every send writes two lines, and
// they stay as they are because processes of different versions may share one file: each is
// named below.
import type { Settlement } from "../sms/ports/store.js";
import type { HeldAttempt } from "./ledgerState.js";

/** A claimed attempt (write-ahead); compaction merges its outcome into it as `r` and `m`. */
export interface ClaimLine {
  /** Attempt id. */
  c: string;
  /** Claimed at (ms since the epoch, the claiming process's window clock). */
  t: number;
  /** Owner: the claiming process's pid. */
  o: string;
  /** Duplicate key (absent when duplicates are not held back). */
  k?: string | undefined;
  /** Duplicate window in ms: how long this attempt holds the key. */
  w?: number | undefined;
  /** Rate buckets: key, window ms, limit. */
  b: Array<[string, number, number]>;
  /** Recipient and sender, for `findSent` after a crash. */
  to?: string;
  from?: string;
  /** SHA-256 of the body. */
  h?: string;
  /** Outcome, once compaction merged it in. */
  r?: HeldAttempt["state"];
  /** Provider message id, with a `sent` outcome. */
  m?: string | undefined;
}

/** How an attempt ended. */
export interface SettleLine {
  /** Attempt id. */
  s: string;
  /** Settled at. */
  t: number;
  /** Outcome. */
  r: Settlement["outcome"];
  /** Provider message id, with `sent`. */
  m?: string | undefined;
}

/** A rate bucket's recent claim times, written by compaction. */
interface HitsLine {
  /** Bucket key. */
  hk: string;
  /** The longest window it was claimed with, ms. */
  w: number;
  /** Claim times inside it. */
  ts: number[];
}

/** Written by a compactor: nothing after it in this file counts; a new file replaces it. */
interface MovedLine {
  moved: string;
}

type LedgerLine = ClaimLine | SettleLine | HitsLine | MovedLine;

/** Lines as they are appended: one JSON object each, each ending with a newline. */
export function ledgerText(lines: readonly LedgerLine[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join("");
}

/** One line of the file, or undefined when it cannot be read (torn by a crash, corrupted). */
export function parseLedgerLine(text: string): LedgerLine | undefined {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof line !== "object" || line === null) return undefined;
  if ("c" in line && typeof line.c === "string" && "t" in line && typeof line.t === "number") {
    return line as ClaimLine;
  }
  if ("s" in line && typeof line.s === "string") return line as SettleLine;
  if ("hk" in line && typeof line.hk === "string" && "ts" in line && Array.isArray(line.ts)) {
    const hits = line as HitsLine;
    return { ...hits, ts: hits.ts.filter((t) => typeof t === "number") };
  }
  if ("moved" in line) return line as MovedLine;
  return undefined;
}

/** What is live, as lines a fresh reader rebuilds it from: each held key, each bucket's times. */
export function liveLines(
  held: ReadonlyArray<[string, HeldAttempt]>,
  hits: ReadonlyArray<[string, number, number[]]>,
): LedgerLine[] {
  return [
    ...held.map(
      ([key, attempt]): ClaimLine => ({
        c: attempt.attemptId,
        t: attempt.at,
        o: attempt.owner,
        k: key,
        w: attempt.expiresAt - attempt.at,
        b: [],
        r: attempt.state,
        m: attempt.messageId,
      }),
    ),
    ...hits.map(([key, windowMs, times]): HitsLine => ({ hk: key, w: windowMs, ts: times })),
  ];
}

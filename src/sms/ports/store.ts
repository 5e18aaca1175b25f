import type { RefusingRule } from "../guardrails/settings.js";

export interface RateBucket {
  key: string;
  limit: number;
  windowMs: number;
  /** Names the bucket in a refusal: "this recipient", "this connection". */
  label: string;
  /** The setting the bucket enforces, as the audit log and the metrics name a refusal. */
  rule?: RefusingRule | undefined;
}

export interface ClaimRequest {
  /** A new random id per attempt: the ledger's key for its record. */
  attemptId: string;
  /** The identical-send key and how long it is held; undefined when duplicates are not checked. */
  duplicate: { key: string; windowMs: number } | undefined;
  /** Every sliding window the send must fit. */
  buckets: RateBucket[];
  /** What the write-ahead record keeps of the attempt (never the body). */
  attempt: { to: string; from: string; bodySha256: string };
}

/** Where an earlier identical attempt stands, as the ledger knows it. */
export type EarlierAttempt =
  /** It is being sent now, by this or another process that is still running. */
  | { state: "pending"; at: number; attemptId: string }
  | { state: "sent"; at: number; attemptId: string; messageId: string | undefined }
  /** The provider may or may not have taken it (a timeout, a 5xx, a process that died mid-send). */
  | { state: "unknown"; at: number; attemptId: string };

/** A bucket with no room; retryAfterMs is undefined when it can never fit a send (a limit of 0). */
export interface RateLimited {
  kind: "rate_limited";
  bucket: RateBucket;
  retryAfterMs: number | undefined;
}

export type ClaimDecision =
  /** Recorded as pending (write-ahead): this attempt may go to the provider. */
  { kind: "claimed" } | { kind: "duplicate"; earlier: EarlierAttempt } | RateLimited;

/** How a claimed attempt ended. Only `failed` (certainly not sent) frees its duplicate key. */
export type Settlement =
  | { outcome: "sent"; messageId: string }
  | { outcome: "failed" }
  | { outcome: "unknown" };

/**
 * A pending attempt older than this cannot still be waiting for its provider (its process
 * died or lost its answer): stores read it as unknown, and `sms-mcp log` as interrupted.
 */
export const PENDING_STALE_AFTER_MS = 5 * 60_000;

/**
 * The send ledger and guardrail state. Each method is one atomic step, so the state can be
 * shared by processes (a locked file) or replicas (a server-side script in Redis) with the
 * same semantics. Rate limits count claimed attempts, whatever their outcome.
 */
export interface GuardrailStore {
  /**
   * An earlier identical attempt holding the duplicate key wins; otherwise every bucket is
   * checked, and only if all have room is one unit consumed from each and the attempt
   * recorded as pending under the duplicate key. Throws when the state cannot be read or
   * written (the send is then refused: nothing that cannot be recorded is sent).
   */
  claim(request: ClaimRequest, now: number): Promise<ClaimDecision>;
  /** Records how a claimed attempt ended. */
  settle(
    attemptId: string,
    duplicateKey: string | undefined,
    settlement: Settlement,
    now: number,
  ): Promise<void>;
  /**
   * Records `key` for `windowMs`: true the first time, false while it is still held. A shared
   * store remembers it for every replica. Default: each service remembers its own.
   */
  firstSighting?(key: string, windowMs: number, now: number): Promise<boolean>;
  /** Whether `key` is held by an earlier `firstSighting`, recording nothing. */
  sighted?(key: string, now: number): Promise<boolean>;
  /**
   * The attempt holding `duplicateKey` now, if any, without claiming anything: an identical
   * text already sent is not put to the person again. Default: none known.
   */
  earlier?(duplicateKey: string, now: number): Promise<EarlierAttempt | undefined>;
  /**
   * The first of `buckets` with no room for one more send now, recording nothing: a text the
   * rate limits would refuse is not put to the person (the claim still decides, atomically).
   * Default: room.
   */
  rateRefusal?(buckets: RateBucket[], now: number): Promise<RateLimited | undefined>;
  /**
   * A secret every process and replica sharing this store agrees on: the one kept under
   * `name`, or `created` kept now if there is none yet. Default: `created`, for this process.
   */
  sharedSecret?(name: string, created: string): Promise<string>;
  /** Whether a claim could be made now (a shared store may be unreachable). Default: true. */
  isReady?(): Promise<boolean>;
  /** Lets go of files or connections. */
  close?(): Promise<void>;
}

export interface RateBucket {
  key: string;
  limit: number;
  windowMs: number;
  /** Names the bucket in a refusal: "this recipient", "this connection". */
  label: string;
}

export interface ClaimRequest {
  /** The identical-send key and how long it is held; undefined when duplicates are not checked. */
  duplicate: { key: string; windowMs: number } | undefined;
  /** Every sliding window the send must fit. */
  buckets: RateBucket[];
}

export type ClaimDecision =
  | { kind: "claimed" }
  /** An identical send holds the key; messageId is undefined while it is still in flight. */
  | { kind: "duplicate"; messageId: string | undefined }
  /** retryAfterMs is undefined when the bucket can never fit a send (a limit of 0). */
  | { kind: "rate_limited"; bucket: RateBucket; retryAfterMs: number | undefined };

/**
 * The state guardrails keep between sends. Each method is one atomic step, so a shared store
 * (a server-side script in Redis) can back several replicas with the same semantics.
 */
export interface GuardrailStore {
  /**
   * An identical send holding the duplicate key wins; otherwise every bucket is checked, and
   * only if all have room is one unit consumed from each and the duplicate key claimed.
   */
  claim(request: ClaimRequest, now: number): Promise<ClaimDecision>;
  /** Records the sent message id under the duplicate key, or releases it when nothing was sent. */
  settle(duplicateKey: string, messageId: string | undefined, now: number): Promise<void>;
}

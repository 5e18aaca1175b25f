// The stages of one send, each a value the next stage can rely on: a stage function takes the
// stage before it and returns its own, so none can run on what the previous one did not make.
//   validate → ValidatedSend → policy → CheckedSend → confirm → ApprovedSend
//   → claim → ClaimedSend → hand over (or join) → Delivered → settle
import type { Claim } from "./claim.js";
import type { ConfirmedBy } from "./confirmation.js";
import type { SmsError } from "./errors.js";
import type { SendReceipt } from "./ports/provider.js";
import type { SegmentInfo } from "./segments.js";
import type { ValidSend } from "./validate.js";

/** Arguments that passed validation: the text, its segments, and notes for the model. */
export interface ValidatedSend {
  send: ValidSend;
  segments: SegmentInfo;
  /** Absent when there is nothing to note. */
  notes: string[] | undefined;
}

/** A validated send the content policy let through, with the template it matched. */
export interface CheckedSend extends ValidatedSend {
  template: string | undefined;
}

/** A checked send approved: by the person, a read-back, or no one (the connection asks none). */
export interface ApprovedSend extends CheckedSend {
  confirmedBy: ConfirmedBy | undefined;
  /**
   * Approval was not asked because an identical text had already been sent: the claim must
   * then answer `duplicate`, or the text would go out unapproved.
   */
  unaskedAsSent: boolean;
}

/** An approved send with its claim in the ledger (its notes with the claim's). */
export interface ClaimedSend extends ApprovedSend {
  claim: Claim;
}

/** What the provider step produced, when the send got that far without an error. */
export type Delivered =
  | { status: "sent"; receipt: SendReceipt }
  | { status: "dry_run"; messageId: string }
  | { status: "duplicate"; duplicateOf: string | undefined };

/**
 * Where a failure stopped a send; each is also the audit log's word for it: `refused` before
 * the provider (validation, policy, rates, the person, an identical attempt that failed or is
 * unconfirmed), `failed` when the provider certainly did not take it, `unknown` otherwise.
 */
export type FailureStage = "refused" | "failed" | "unknown";

/** How an attempt ended. */
export type Ending =
  | { delivered: Delivered }
  | { failure: { error: SmsError; stage: FailureStage } };

/** The furthest stage a send reached (undefined: validation refused it). */
export type Reached = ValidatedSend | CheckedSend | ApprovedSend | ClaimedSend;

/** The template a send matched, once the policy looked. */
export function templateOf(reached: Reached | undefined): string | undefined {
  return reached && "template" in reached ? reached.template : undefined;
}

/** Who approved a send, once it was approved. */
export function confirmedByOf(reached: Reached | undefined): ConfirmedBy | undefined {
  return reached && "confirmedBy" in reached ? reached.confirmedBy : undefined;
}

/** The ledger's id of a send's attempt, once it was claimed as new. */
export function attemptIdOf(reached: Reached | undefined): string | undefined {
  return reached && "claim" in reached && reached.claim.kind === "new"
    ? reached.claim.attemptId
    : undefined;
}

import type { ConfirmationAnswer, ConfirmedBy } from "../confirmation.js";
import type { SmsErrorCategory } from "../errors.js";
import type { RefusingRule } from "../guardrails/settings.js";
import type { CallbackReceipt } from "../statusCallbacks.js";
import type { AuditOutcome } from "./audit.js";

/** How a send ended, as counted: the audit log's outcomes of an attempt. */
export type AttemptOutcome = Exclude<AuditOutcome, "pending" | "delivery">;

/** How a confirmation ended: who approved, the form sent, or why not. */
export type ConfirmationResult =
  | ConfirmedBy
  | Exclude<ConfirmationAnswer["kind"], "accepted">
  | "already_used";

/** What became of a status callback. */
export type CallbackResult = "recorded" | Extract<CallbackReceipt, { recorded: false }>["reason"];

/**
 * What one connection's sends tell an operator's metrics. Every value passed is one of a
 * fixed set (never a number, a text or anything a caller wrote), so labels stay bounded.
 */
export interface SendMetrics {
  /** One attempt's outcome, and the category of a failure or refusal. */
  attempt(outcome: AttemptOutcome, category: SmsErrorCategory | undefined): void;
  /** One send refused by a guardrail, named by the setting that refused it. */
  guardrailRefusal(rule: RefusingRule): void;
  /** One provider call, in seconds: `ok` when it answered with the text accepted. */
  providerCall(seconds: number, ok: boolean): void;
  /** One step of the send ledger, in seconds. */
  ledger(step: "claim" | "settle", seconds: number): void;
  /** One question put to the person, by its result. */
  confirmation(result: ConfirmationResult): void;
  /** One status callback, by what became of it. */
  statusCallback(result: CallbackResult): void;
}

/** Counts nothing: the default, where no one collects metrics (stdio, the CLI). */
export const NO_METRICS: SendMetrics = {
  attempt: () => undefined,
  guardrailRefusal: () => undefined,
  providerCall: () => undefined,
  ledger: () => undefined,
  confirmation: () => undefined,
  statusCallback: () => undefined,
};

import type { ConfirmMode } from "./confirmModes.js";
import { SmsError } from "./errors.js";
import type { Encoding } from "./segments.js";
import type { Sightings } from "./sightings.js";

/** What the person is shown before a text goes (DESIGN §16): everything that will be sent. */
export interface ConfirmationRequest {
  /** The recipient, E.164. */
  to: string;
  /** The recipient's country (ISO 3166), when the number's range is known. */
  country: string | undefined;
  /** The recipient's calling code ("1"), shown where the range names no one country. */
  callingCode: string;
  /** The sender that will be used. */
  from: string;
  /** The exact text. */
  body: string;
  segments: number;
  encoding: Encoding;
}

/** How the serving layer's attempt to ask the person ended. */
export type ConfirmationAnswer =
  /**
   * The person said yes. `nonce` names the sealed state that carried the answer: it is spent
   * in the ledger, so one yes sends at most one text on any process or replica.
   */
  | { kind: "accepted"; nonce?: string | undefined }
  /** Declined, cancelled, or "send" left unticked. */
  | { kind: "declined" }
  /** The form was shown and no answer came in time. */
  | { kind: "no_answer" }
  /** The client cannot show a form (no form elicitation, or a request served without a session). */
  | { kind: "cannot_ask" }
  /** The form is on its way (2026-07-28): the call answers `input_required` and ends here. */
  | { kind: "asking" }
  /** The answer came with state that is forged, expired, spent, or for another text. */
  | { kind: "invalid"; why: string };

/**
 * Asks the person, as the client allows. Called once per send, after validation, policy and
 * the duplicate check, before the claim: nothing is asked that would be refused anyway.
 */
export type Confirmer = (request: ConfirmationRequest) => Promise<ConfirmationAnswer>;

/** Who approved a text that was sent under `ask` or `human`. */
export type ConfirmedBy = "person" | "read-back";

export interface ConfirmationRule {
  mode: Exclude<ConfirmMode, "off">;
  connectionId: string;
  windowSeconds: number;
}

/** What an answer means for the send: it goes (by whom), or the call is refused. */
export type ConfirmationVerdict =
  | { kind: "confirmed"; by: ConfirmedBy }
  | { kind: "asking" }
  | { kind: "refused"; error: SmsError };

function refused(init: ConstructorParameters<typeof SmsError>[0]): ConfirmationVerdict {
  return { kind: "refused", error: new SmsError({ ...init, certainlyNotSent: true }) };
}

/** "5 minutes" for the read-back's reason. */
function minutes(seconds: number): string {
  if (seconds % 60 !== 0 || seconds < 60) return `${seconds} seconds`;
  const count = seconds / 60;
  return `${count} minute${count === 1 ? "" : "s"}`;
}

/**
 * The read-back of one text (same connection, recipient, sender and text), kept in the ledger
 * so that the second call may reach another replica: offered when the model is told to read
 * the text back, used once by the identical call within the window.
 */
export class ReadBack {
  private readonly offered: string;
  private readonly used: string;

  constructor(
    private readonly sightings: Sightings,
    identity: string,
    private readonly windowMs: number,
  ) {
    this.offered = `read-back\n${identity}`;
    this.used = `read-back-used\n${identity}`;
  }

  /** Whether the model was told to read this text back, and the read-back is not used yet. */
  async waiting(): Promise<boolean> {
    return (await this.sightings.held(this.offered)) && !(await this.sightings.held(this.used));
  }

  /** Uses the read-back: true for the one call that may send on it. */
  use(): Promise<boolean> {
    return this.sightings.first(this.used, this.windowMs);
  }

  /** Tells the ledger the model was asked to read this text back; false if it already was. */
  offer(): Promise<boolean> {
    return this.sightings.first(this.offered, this.windowMs);
  }
}

/**
 * DESIGN §16: the person's answer decides; a client that cannot ask gets a read-back in two
 * calls (`ask`) or a refusal (`human`); a form left unanswered is only a timeout (the next call
 * shows it again: the person, not the model, says yes); a sealed yes is spent once.
 */
export async function judgeConfirmation(
  rule: ConfirmationRule,
  answer: ConfirmationAnswer,
  readBack: ReadBack,
  sightings: Sightings,
): Promise<ConfirmationVerdict> {
  const windowMs = rule.windowSeconds * 1000;
  const readBackSteps = `read the number and the text back to the person; if they say yes, call send_sms again with exactly the same arguments within ${minutes(rule.windowSeconds)}`;
  switch (answer.kind) {
    case "accepted": {
      if (answer.nonce === undefined) return { kind: "confirmed", by: "person" };
      const first = await sightings.first(
        `confirm\n${rule.connectionId}\n${answer.nonce}`,
        windowMs,
      );
      return first
        ? { kind: "confirmed", by: "person" }
        : invalid("this confirmation was already used to send a text");
    }
    case "declined":
      return refused({
        category: "declined",
        reason: "the person declined to send this text; do not send it again unless they ask",
        retryable: false,
      });
    case "no_answer":
      return refused({
        category: "confirmation_timeout",
        reason:
          "the person did not answer the confirmation form in time, so nothing was sent; ask them in the conversation whether to send it, and if they say yes, call send_sms again to show them the form again (if this host never shows its form, its owner can set confirm to off)",
        retryable: true,
      });
    case "asking":
      return { kind: "asking" };
    case "invalid":
      return invalid(answer.why);
    case "cannot_ask": {
      if (rule.mode === "human") {
        return refused({
          category: "confirmation_unavailable",
          reason:
            "this connection sends only what a person approves, and this client cannot ask them",
          retryable: false,
        });
      }
      if (await readBack.offer()) {
        return refused({
          category: "confirmation_required",
          reason: readBackSteps,
          retryable: true,
        });
      }
      // Offered and already used: this exact text went out on a read-back moments ago.
      return refused({
        category: "confirmation_required",
        reason: `this exact text was sent after a read-back moments ago; if the person wants it sent again, read it back again after ${minutes(rule.windowSeconds)} and call send_sms again`,
        retryable: true,
        retryAfterSeconds: rule.windowSeconds,
      });
    }
  }
}

function invalid(why: string): ConfirmationVerdict {
  return refused({
    category: "confirmation_invalid",
    reason: `${why}, so nothing was sent; call send_sms again to ask the person afresh`,
    retryable: true,
  });
}

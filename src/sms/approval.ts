import type { SendClaims } from "./claim.js";
import { type ConfirmedBy, type Confirmer, judgeConfirmation, ReadBack } from "./confirmation.js";
import type { ConfirmMode } from "./confirmModes.js";
import { SmsError } from "./errors.js";
import type { GuardrailSettings } from "./guardrails/settings.js";
import type { SendMetrics } from "./ports/metrics.js";
import type { SendTracer } from "./ports/tracer.js";
import type { SegmentInfo } from "./segments.js";
import type { SendIdentity } from "./sendIdentity.js";
import { AWAITING_PERSON, type AwaitingPerson } from "./sendResult.js";
import type { ApprovedSend, CheckedSend } from "./sendStages.js";
import type { Sightings } from "./sightings.js";
import type { ValidSend } from "./validate.js";

export interface SendApprovalOptions {
  connection: SendIdentity;
  guardrails: GuardrailSettings;
  /** What the claim would make of a send (then some are not asked), and its identity. */
  claims: SendClaims;
  /** Read-backs and spent confirmations, remembered where every replica sees them. */
  sightings: Sightings;
  metrics: SendMetrics;
  tracer: SendTracer;
}

/**
 * The confirm stage of a send (DESIGN §16): a checked send becomes an approved one — by the
 * person through the client's form, by a read-back, or by no one where the connection asks
 * none — or the form goes out and the call waits for the person, or a refusal is thrown.
 */
export class SendApproval {
  constructor(private readonly options: SendApprovalOptions) {}

  /**
   * The person's approval where the connection asks for it and a `confirmer` can ask (an
   * identical text already sent is answered as a duplicate by the claim, unasked, and a text
   * the rate limits would refuse is refused unasked); the form's pending, or a refusal thrown.
   */
  async approve(
    checked: CheckedSend,
    confirmer: Confirmer | undefined,
  ): Promise<ApprovedSend | AwaitingPerson> {
    const mode = confirmer ? this.options.guardrails.confirm : "off";
    if (!confirmer || mode === "off") {
      return { ...checked, confirmedBy: undefined, unaskedAsSent: false };
    }
    const look = await this.options.claims.lookBeforeAsking(checked.send);
    if (look === "sent") return { ...checked, confirmedBy: undefined, unaskedAsSent: true };
    if (look instanceof SmsError) throw look;
    const verdict = await this.options.tracer.step("confirm", () =>
      this.confirm(checked.send, checked.segments, confirmer, mode),
    );
    if (typeof verdict !== "string") return verdict;
    return { ...checked, confirmedBy: verdict, unaskedAsSent: false };
  }

  /** Asks the person through `confirmer`: who approved, the form's pending, or a refusal thrown. */
  private async confirm(
    send: ValidSend,
    segments: SegmentInfo,
    confirmer: Confirmer,
    mode: Exclude<ConfirmMode, "off">,
  ): Promise<ConfirmedBy | AwaitingPerson> {
    const { connection, guardrails } = this.options;
    const rule = {
      mode,
      connectionId: connection.id,
      windowSeconds: guardrails.confirmWindowSeconds,
    };
    const readBack = new ReadBack(
      this.options.sightings,
      this.options.claims.identityOf(send),
      rule.windowSeconds * 1000,
    );
    // The model was told to read this text back (the client could not ask): the identical
    // call sends once.
    if (mode === "ask" && (await readBack.waiting()) && (await readBack.use())) {
      this.options.metrics.confirmation("read-back");
      return "read-back";
    }
    const answer = await confirmer({
      to: send.to,
      country: send.toFacts.country,
      callingCode: send.toFacts.callingCode,
      from: send.from,
      body: send.body,
      segments: segments.segments,
      encoding: segments.encoding,
    });
    const verdict = await judgeConfirmation(rule, answer, readBack, this.options.sightings);
    this.options.metrics.confirmation(
      verdict.kind === "confirmed"
        ? verdict.by
        : answer.kind === "accepted"
          ? "already_used"
          : answer.kind,
    );
    if (verdict.kind === "refused") throw verdict.error;
    return verdict.kind === "asking" ? AWAITING_PERSON : verdict.by;
  }
}

/** An identical text's claim changed hands between the look and the claim: ask on the next call. */
export function askAgain(): SmsError {
  return new SmsError({
    category: "confirmation_required",
    reason:
      "an identical text was sent moments ago and its record just ended, so this one needs the person's approval like any new text; call send_sms again",
    retryable: true,
    certainlyNotSent: true,
  });
}

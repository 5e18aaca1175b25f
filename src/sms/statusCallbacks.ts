import { type DeliveryState, deliveryAuditRecord } from "./delivery.js";
import type { AuditSink } from "./ports/audit.js";
import type { SendMetrics } from "./ports/metrics.js";
import type { SmsProvider, StatusCallback } from "./ports/provider.js";
import type { GuardrailStore } from "./ports/store.js";
import type { SendIdentity } from "./sendIdentity.js";
import { type Sightings, sightingsOf } from "./sightings.js";

export type CallbackReceipt =
  | { recorded: true; messageId: string; state: DeliveryState }
  | {
      recorded: false;
      /**
       * `not_verifiable`: this connection cannot check its provider's signatures (a Twilio API
       * key, a Telnyx connection without the public key); `not_genuine`: unsigned, mis-signed,
       * stale or unreadable; `replayed`: a callback already received; `unavailable`: genuine,
       * but the shared replay memory (Redis) could not be asked, so it is not recorded now (the
       * provider may send it again).
       */
      reason: "not_verifiable" | "not_genuine" | "replayed" | "unavailable";
    };

export interface StatusCallbackInboxOptions {
  connection: SendIdentity;
  provider: SmsProvider;
  /** Remembers replay keys for every replica when it can; else this process remembers them. */
  store: GuardrailStore;
  audit: AuditSink;
  now: () => number;
  /** Counts each callback by what became of it. */
  metrics: SendMetrics;
}

/**
 * The provider's reports on sent texts: each is believed only once its signature checks out,
 * and only once (a replay is refused), and then goes on record as a `delivery` audit line.
 */
export class StatusCallbackInbox {
  private readonly sightings: Sightings;

  constructor(private readonly options: StatusCallbackInboxOptions) {
    this.sightings = sightingsOf(options.store, options.now);
  }

  async receive(callback: StatusCallback): Promise<CallbackReceipt> {
    const receipt = await this.judge(callback);
    this.options.metrics.statusCallback(receipt.recorded ? "recorded" : receipt.reason);
    return receipt;
  }

  private async judge(callback: StatusCallback): Promise<CallbackReceipt> {
    const { provider, connection, audit, now } = this.options;
    const read = provider.readStatusCallback;
    if (!read) return { recorded: false, reason: "not_verifiable" };
    const verified = await read.call(provider, callback).catch(() => undefined);
    if (!verified) return { recorded: false, reason: "not_genuine" };
    const key = `callback:${connection.id}:${verified.replayKey}`;
    let first: boolean;
    try {
      first = await this.sightings.first(key, verified.replayWindowMs);
    } catch {
      return { recorded: false, reason: "unavailable" };
    }
    if (!first) return { recorded: false, reason: "replayed" };
    const record = deliveryAuditRecord(connection, verified.report, new Date(now()));
    await audit.append(record);
    return { recorded: true, messageId: verified.report.messageId, state: record.delivery };
  }
}

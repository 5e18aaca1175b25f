import { setTimeout as sleep } from "node:timers/promises";
import type { ResolvedConnection } from "../config/connection.js";
import { type Logger, maskNumber } from "../log/logger.js";
import type { SmsProvider } from "../providers/types.js";
import { SmsError } from "./errors.js";
import { countSegments } from "./segments.js";
import { type ValidSend, validateSend } from "./sendRequest.js";
import type { SendDetails, SendOutcome } from "./sendResult.js";

/** Resending is safe only when the provider certainly did not take the message. */
const MAX_ATTEMPTS = 2;
const RETRY_DELAY_MS = 500;
const MAX_RETRY_WAIT_SECONDS = 2;

const LINK = /\bhttps?:\/\/|\bwww\.[a-z0-9-]+\.[a-z]/i;
const LINK_NOTE =
  "the text contains a link: carriers may silently filter links from senders without A2P 10DLC registration, even though the provider answers sent";

export interface SmsServiceOptions {
  connection: ResolvedConnection;
  createProvider: (connection: ResolvedConnection) => Promise<SmsProvider>;
  logger: Logger;
}

function asSmsError(error: unknown): SmsError {
  if (error instanceof SmsError) return error;
  // Anything else may carry SDK internals (request config, headers): never show its text.
  return new SmsError({
    category: "unknown",
    reason: "an unexpected error stopped the send; it was not confirmed by the provider",
    retryable: false,
  });
}

/** validate → provider (with safe retry) → result. One instance per connection. */
export class SmsService {
  private providerPromise: Promise<SmsProvider> | undefined;

  constructor(private readonly options: SmsServiceOptions) {}

  get connection(): ResolvedConnection {
    return this.options.connection;
  }

  provider(): Promise<SmsProvider> {
    if (!this.providerPromise) {
      const pending = this.options.createProvider(this.options.connection);
      this.providerPromise = pending;
      // A failed start (locked keychain, say) must not stick: the next send tries again.
      pending.catch(() => {
        if (this.providerPromise === pending) this.providerPromise = undefined;
      });
    }
    return this.providerPromise;
  }

  /** Loads the provider SDK and credentials off the critical path, so the first send is fast. */
  warmUp(): void {
    this.provider().catch((error: unknown) => {
      this.options.logger.warn({ reason: asSmsError(error).reason }, "provider not ready yet");
    });
  }

  async send(args: unknown): Promise<SendOutcome> {
    const { connection, logger } = this.options;
    const base: SendDetails = {
      status: "failed",
      provider: connection.provider,
      connection: connection.label,
      to: stringField(args, "to_"),
      from: stringField(args, "from_") ?? connection.defaultFrom ?? null,
    };

    let valid: ValidSend;
    try {
      valid = validateSend(args, connection.defaultFrom);
    } catch (error) {
      return this.fail(base, asSmsError(error));
    }
    const { encoding, segments } = countSegments(valid.body);
    const details: SendDetails = {
      ...base,
      to: valid.to,
      from: valid.from,
      segments,
      encoding,
      notes: LINK.test(valid.body) ? [LINK_NOTE] : undefined,
    };

    try {
      const provider = await this.provider();
      const receipt = await this.sendWithSafeRetry(provider, valid);
      logger.info(
        { provider: connection.provider, to: maskNumber(valid.to), messageId: receipt.messageId },
        "sms sent",
      );
      return {
        ok: true,
        details: {
          ...details,
          status: "sent",
          messageId: receipt.messageId,
          providerStatus: receipt.status,
          segments: receipt.segments ?? segments,
          encoding: receipt.encoding ?? encoding,
        },
      };
    } catch (error) {
      return this.fail(details, asSmsError(error));
    }
  }

  private async sendWithSafeRetry(provider: SmsProvider, valid: ValidSend) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await provider.send({ to: valid.to, from: valid.from, body: valid.body });
      } catch (error) {
        const smsError = asSmsError(error);
        const wait = smsError.retryAfterSeconds;
        const canRetry =
          smsError.notAccepted &&
          attempt < MAX_ATTEMPTS &&
          (wait === undefined || wait <= MAX_RETRY_WAIT_SECONDS);
        if (!canRetry) throw smsError;
        await sleep(wait !== undefined ? wait * 1000 : RETRY_DELAY_MS);
      }
    }
  }

  private fail(details: SendDetails, error: SmsError): SendOutcome {
    this.options.logger.warn(
      {
        provider: details.provider,
        to: maskNumber(details.to ?? undefined),
        category: error.category,
        providerCode: error.providerCode,
      },
      "sms not sent",
    );
    return {
      ok: false,
      reason: error.reason,
      details: {
        ...details,
        status: "failed",
        error: {
          category: error.category,
          reason: error.reason,
          retryable: error.retryable,
          providerCode: error.providerCode,
          retryAfterSeconds: error.retryAfterSeconds,
        },
      },
    };
  }
}

function stringField(args: unknown, key: string): string | null {
  if (typeof args !== "object" || args === null) return null;
  const value = (args as Record<string, unknown>)[key];
  return typeof value === "string" ? value.slice(0, 64) : null;
}

// The simulated providers' status callbacks: each text's delivery reported to the URL the send
// named (Twilio StatusCallback, Plivo url, Telnyx webhook_url), signed as each provider signs
// its own, with the simulator's own code (it imports nothing from src/, and no provider SDK).

import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomInt,
  randomUUID,
  sign,
} from "node:crypto";
import type { SimulatorAccounts } from "./accounts.js";
import { deliveryOutcome } from "./delivery.js";

type Provider = "twilio" | "plivo" | "telnyx";

/**
 * The simulated Telnyx account's webhook key pair. Not a secret: it exists only in the
 * simulator, derived from a fixed seed so that its public key stays the same from run to run.
 */
const TELNYX_SIGNING_KEY = createPrivateKey({
  key: Buffer.concat([
    // PKCS#8 header of an Ed25519 private key, then the 32-byte seed.
    Buffer.from("302e020100300506032b657004220420", "hex"),
    createHash("sha256").update("sms-mcp simulator: Telnyx webhook signing key").digest(),
  ]),
  format: "der",
  type: "pkcs8",
});

/** The public key to give sms-mcp (SMS_MCP_TELNYX_PUBLIC_KEY), base64 as Telnyx shows it. */
export const TELNYX_PUBLIC_KEY = createPublicKey(TELNYX_SIGNING_KEY)
  .export({ format: "der", type: "spki" })
  // The last 32 bytes of the SPKI form are the raw key.
  .subarray(-32)
  .toString("base64");

/** Twilio: base64 HMAC-SHA1 of the URL followed by each field's name and value, sorted by name. */
export function twilioSignature(
  authToken: string,
  url: string,
  fields: Record<string, string>,
): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((text, name) => text + name + fields[name], url);
  return createHmac("sha1", authToken).update(data).digest("base64");
}

/**
 * Plivo V3 for a POST: the URL (its query sorted as name=value pairs) then `?`, the fields'
 * names and values sorted and run together, `.` and the nonce; base64 HMAC-SHA256.
 */
export function plivoSignatureV3(
  authToken: string,
  url: string,
  fields: Record<string, string>,
  nonce: string,
): string {
  const parsed = new URL(url);
  const query = [...parsed.searchParams]
    .map(([name, value]) => `${name}=${value}`)
    .sort()
    .join("&");
  const base = `${parsed.origin}${parsed.pathname}?${query}${query ? "." : ""}`;
  const params = Object.keys(fields)
    .sort()
    .map((name) => name + fields[name])
    .join("");
  return createHmac("sha256", authToken).update(`${base}${params}.${nonce}`).digest("base64");
}

/** Telnyx: base64 Ed25519 signature of `<timestamp>|<body>`. */
export function telnyxSignature(timestamp: string, body: string): string {
  return sign(null, Buffer.from(`${timestamp}|${body}`), TELNYX_SIGNING_KEY).toString("base64");
}

/** One callback the simulator made, as it sent it, and what the receiver answered. */
export interface SentCallback {
  provider: Provider;
  messageId: string;
  url: string;
  status: string;
  headers: Record<string, string>;
  body: string;
  /** The receiver's HTTP status, or 0 when it could not be reached. */
  answered: number;
}

interface Message {
  id: string;
  to: string;
  from: string;
}

/** The report's wire form for one status, by provider: content type, body and signature headers. */
function wireFor(
  provider: Provider,
  accounts: SimulatorAccounts,
  url: string,
  message: Message,
  status: string,
  errorCode: string | null,
  final: boolean,
): { type: string; body: string; headers: Record<string, string> } {
  switch (provider) {
    case "twilio": {
      const fields: Record<string, string> = {
        AccountSid: accounts.twilio.accountSid,
        ApiVersion: "2010-04-01",
        From: message.from,
        MessageSid: message.id,
        MessageStatus: status,
        SmsSid: message.id,
        SmsStatus: status,
        To: message.to,
        ...(errorCode ? { ErrorCode: errorCode } : {}),
      };
      return {
        type: "application/x-www-form-urlencoded",
        body: new URLSearchParams(fields).toString(),
        headers: { "X-Twilio-Signature": twilioSignature(accounts.twilio.authToken, url, fields) },
      };
    }
    case "plivo": {
      const fields: Record<string, string> = {
        From: message.from.replace(/^\+/, ""),
        MessageUUID: message.id,
        Status: status,
        To: message.to.replace(/^\+/, ""),
        TotalAmount: "0.00500",
        TotalRate: "0.00500",
        Type: "sms",
        Units: "1",
        ...(errorCode ? { ErrorCode: errorCode } : {}),
      };
      const nonce = Array.from({ length: 20 }, () => randomInt(10)).join("");
      return {
        type: "application/x-www-form-urlencoded",
        body: new URLSearchParams(fields).toString(),
        headers: {
          "X-Plivo-Signature-V3": plivoSignatureV3(accounts.plivo.authToken, url, fields, nonce),
          "X-Plivo-Signature-V3-Nonce": nonce,
        },
      };
    }
    case "telnyx": {
      const body = JSON.stringify({
        data: {
          event_type: final ? "message.finalized" : "message.sent",
          id: randomUUID(),
          occurred_at: new Date().toISOString(),
          payload: {
            id: message.id,
            record_type: "message",
            direction: "outbound",
            type: "SMS",
            from: { phone_number: message.from },
            to: [{ phone_number: message.to, status }],
            errors: errorCode ? [{ code: errorCode, title: "Delivery failed" }] : [],
          },
          record_type: "event",
        },
        meta: { attempt: 1, delivered_to: url },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      return {
        type: "application/json",
        body,
        headers: {
          "telnyx-signature-ed25519": telnyxSignature(timestamp, body),
          "telnyx-timestamp": timestamp,
        },
      };
    }
  }
}

/** Pause before each report, as a carrier's receipts follow a send. */
const REPORT_DELAY_MS = 150;

/** Sends each text's reports, in order, and keeps what it sent. */
export class StatusReporter {
  readonly sent: SentCallback[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly accounts: SimulatorAccounts) {}

  /**
   * Moves the text on as a carrier's receipts would: `sent` (unless it never left the
   * provider), then where it ended. Each step is told to `onStatus` and, when the send named a
   * callback URL, reported there.
   */
  report(
    provider: Provider,
    url: string | undefined,
    message: Message,
    onStatus: (status: string, errorCode: string | null, title: string | null) => void,
  ): void {
    const callbackUrl = url && /^https?:\/\//.test(url) ? url : undefined;
    const outcome = deliveryOutcome(provider, message.to);
    // A text that never left the provider has no `sent` report before its last one.
    const neverLeft = outcome.status === "failed" || outcome.status === "sending_failed";
    const statuses = [...(neverLeft ? [] : ["sent"]), outcome.status];
    const next = (index: number) => {
      const status = statuses[index];
      if (status === undefined) return;
      const final = index === statuses.length - 1;
      const errorCode = final ? outcome.errorCode : null;
      this.later(async () => {
        onStatus(status, errorCode, final ? outcome.title : null);
        if (callbackUrl) await this.post(provider, callbackUrl, message, status, errorCode, final);
        next(index + 1);
      });
    };
    next(0);
  }

  /** Stops any report not yet made. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(work: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work().catch(() => {});
    }, REPORT_DELAY_MS);
    this.timers.add(timer);
  }

  private async post(
    provider: Provider,
    url: string,
    message: Message,
    status: string,
    errorCode: string | null,
    final: boolean,
  ): Promise<void> {
    const wire = wireFor(provider, this.accounts, url, message, status, errorCode, final);
    const headers = { "Content-Type": wire.type, ...wire.headers };
    let answered = 0;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body: wire.body,
        signal: AbortSignal.timeout(5000),
      });
      answered = response.status;
      await response.body?.cancel();
    } catch {
      // Unreachable: recorded as answered 0.
    }
    this.sent.push({
      provider,
      messageId: message.id,
      url,
      status,
      headers,
      body: wire.body,
      answered,
    });
  }
}

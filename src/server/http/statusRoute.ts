import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../log/logger.js";
import type { StatusCallback } from "../../sms/ports/provider.js";
import type { SmsService } from "../../sms/smsService.js";
import {
  DEFAULT_CALLBACK_BURST,
  DEFAULT_CALLBACKS_PER_SECOND,
  DEFAULT_MAX_BODY_BYTES,
} from "./defaults.js";
import { readBody, sendJson } from "./httpIo.js";

export interface StatusRouteOptions {
  /** This server's public origin: the URL a provider signed is this plus the request's path. */
  publicUrl: string;
  logger: Logger;
  /** Callbacks per second each connection accepts, on average. @default {@link DEFAULT_CALLBACKS_PER_SECOND} */
  perSecond?: number;
  /** How many may arrive at once above that rate. @default {@link DEFAULT_CALLBACK_BURST} */
  burst?: number;
  /** The largest callback body read. @default {@link DEFAULT_MAX_BODY_BYTES} */
  maxBodyBytes?: number;
}

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
class RateBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The request's headers, each one string (a repeated header joined as HTTP joins it). */
function flatHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/**
 * POST /status/<connection id>: the providers' delivery reports (DESIGN §12). No MCP token,
 * since providers cannot send one: each request is believed only with its provider's valid
 * signature, once; anything else is 403 and nothing is recorded (503 when a genuine one cannot be
 * checked for a replay: the shared store is unreachable). Rate-limited per connection before any
 * signature is checked. Nothing of a refused request's content is logged.
 */
export function statusRoute(options: StatusRouteOptions) {
  const { publicUrl, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const buckets = new Map<string, RateBucket>();
  const bucketOf = (connectionId: string) => {
    let bucket = buckets.get(connectionId);
    if (!bucket) {
      bucket = new RateBucket(
        options.perSecond ?? DEFAULT_CALLBACKS_PER_SECOND,
        options.burst ?? DEFAULT_CALLBACK_BURST,
      );
      buckets.set(connectionId, bucket);
    }
    return bucket;
  };

  return async (service: SmsService, req: IncomingMessage, res: ServerResponse) => {
    const connection = service.connection.id;
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      return sendJson(res, 405, { error: "status callbacks are POST requests" });
    }
    if (!bucketOf(connection).take()) {
      req.resume();
      res.setHeader("Retry-After", "1");
      return sendJson(res, 429, { error: "too many status callbacks; try again shortly" });
    }
    const body = await readBody(req, maxBodyBytes);
    if (!body) return sendJson(res, 413, { error: "status callback too large" });
    const callback: StatusCallback = {
      url: `${publicUrl}${req.url ?? ""}`,
      method: "POST",
      headers: flatHeaders(req.headers),
      body: body.toString("utf8"),
    };
    const receipt = await service.receiveStatusCallback(callback);
    if (!receipt.recorded && receipt.reason === "unavailable") {
      // Genuine, but its replay could not be ruled out: 503 asks the provider to send it again.
      logger.warn({ connection, reason: receipt.reason }, "status callback not recorded now");
      res.setHeader("Retry-After", "5");
      return sendJson(res, 503, { error: "the server cannot record status callbacks right now" });
    }
    if (!receipt.recorded) {
      logger.warn({ connection, reason: receipt.reason }, "status callback refused");
      return sendJson(res, 403, { error: "not a genuine, new status callback from the provider" });
    }
    logger.debug(
      { connection, messageId: receipt.messageId, delivery: receipt.state },
      "delivery recorded",
    );
    res.writeHead(204).end();
  };
}

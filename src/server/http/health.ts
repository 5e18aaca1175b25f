import type { ServerResponse } from "node:http";
import type { SmsService } from "../../sms/smsService.js";
import { sendJson } from "./httpIo.js";

/** `GET /healthz`: liveness only; says "draining" once a shutdown has begun. */
export function healthz(res: ServerResponse, draining: boolean): void {
  sendJson(res, 200, { status: draining ? "draining" : "ok" });
}

/** `GET /readyz`: ready when sends can be recorded (a shared ledger in Redis may be unreachable). */
export async function readyz(
  res: ServerResponse,
  draining: boolean,
  services: readonly SmsService[],
): Promise<void> {
  const ready = !draining && (await Promise.all(services.map((s) => s.ready()))).every(Boolean);
  sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable" });
}

import { SmsError } from "../sms/errors.js";
import { buildOutcome } from "../sms/outcome.js";
import type { SendIdentity } from "../sms/sendIdentity.js";
import type { ToolService } from "./toolService.js";

/**
 * The service a host gets when the server's settings cannot work (a provider name that is none
 * of the three, a missing key…): the server still starts, and every send_sms answers "SMS
 * couldn't be sent" with `reason`, so the person reads in the chat what to fix instead of a
 * host's "server disconnected". Nothing is ever sent.
 */
export function unusableService(reason: string, connection: SendIdentity): ToolService {
  const outcome = buildOutcome({
    connection,
    args: undefined,
    reached: undefined,
    failure: {
      error: new SmsError({ category: "configuration", reason, retryable: false }),
      stage: "refused",
    },
    duplicateWindowSeconds: 0,
  });
  return {
    connection,
    contentPolicy: {
      templates: [],
      templatesOnly: false,
      allowedLinkDomains: undefined,
      quietHours: undefined,
    },
    confirmation: { mode: "off", timeoutSeconds: 1, windowSeconds: 1 },
    sealingKey: async () => new Uint8Array(32),
    send: async () => outcome,
    traced: (_name, _parent, run) => run(),
    warmUp: () => undefined,
    idle: async () => undefined,
    close: async () => undefined,
    inFlight: 0,
  };
}

import type { ElicitRequestFormParams } from "@modelcontextprotocol/server";
import type { ConfirmationRequest } from "../sms/confirmation.js";

/** The form's one field (DESIGN §16). */
export const SEND_FIELD = "send";

/** The key of the form in `inputRequests` and `inputResponses` (2026-07-28). */
export const CONFIRM_INPUT_KEY = "confirm";

// Made at the first form, not at start-up: most connections never ask.
let regions: Intl.DisplayNames | undefined;

function countryName(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  try {
    regions ??= new Intl.DisplayNames(["en"], { type: "region" });
    return regions.of(code);
  } catch {
    return code;
  }
}

/**
 * What the person reads before answering: everything that will be sent, the text as it goes,
 * each of its lines after "> " (the host shows the message as plain text).
 */
export function confirmationForm(request: ConfirmationRequest): ElicitRequestFormParams {
  const country =
    countryName(request.country) ?? `+${request.callingCode}, no one country known for this range`;
  const parts = request.segments === 1 ? "1 SMS" : `${request.segments} SMS parts`;
  return {
    mode: "form",
    message: [
      "Send this text message?",
      `To: ${request.to} (${country})`,
      `From: ${request.from}`,
      `Length: ${parts}, ${request.encoding}`,
      "Text:",
      // Each line of the text marked, so that no line of it can pass for one of the above.
      ...request.body.split(/\r\n|[\n\r\u2028\u2029]/).map((line) => `> ${line}`),
    ].join("\n"),
    requestedSchema: {
      type: "object",
      properties: {
        [SEND_FIELD]: {
          type: "boolean",
          title: "Send this text?",
          description: "Tick to send it now; leave it unticked, or decline, to send nothing.",
          default: false,
        },
      },
      required: [SEND_FIELD],
    },
  };
}

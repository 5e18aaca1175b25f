import { SmsError } from "../sms/errors.js";
import { PROVIDER_TITLES, type ProviderName } from "../sms/providerNames.js";

const REFUSED = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"];
const TIMED_OUT = ["ECONNABORTED", "ETIMEDOUT", "ESOCKETTIMEDOUT", "UND_ERR_HEADERS_TIMEOUT"];

/** Error codes found on an error, its causes, or (Plivo rejects with strings) its text. */
function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || error === undefined) return [];
  if (typeof error === "string") {
    return [...REFUSED, ...TIMED_OUT, "timeout"].filter((code) => error.includes(code));
  }
  if (typeof error !== "object") return [];
  const found: string[] = [];
  const { code, name, message, cause } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (typeof code === "string") found.push(code);
  if (name === "APIConnectionTimeoutError" || name === "TimeoutError") found.push("ETIMEDOUT");
  if (typeof message === "string" && /timeout of \d+ms exceeded|timed out/i.test(message)) {
    found.push("ETIMEDOUT");
  }
  return [...found, ...errorCodes(cause, depth + 1)];
}

/**
 * Classifies a failure that happened below HTTP (no response). A refused connection means
 * the provider never saw the request; a timeout or reset means it may have sent the text.
 */
export function transportError(provider: ProviderName, error: unknown): SmsError | undefined {
  const codes = errorCodes(error);
  const title = PROVIDER_TITLES[provider];
  if (codes.some((c) => REFUSED.includes(c))) {
    return new SmsError({
      category: "provider_unavailable",
      reason: `${title} could not be reached (the connection was refused), so the message was not sent; trying again later can help`,
      retryable: true,
      safeToResend: true,
    });
  }
  if (codes.some((c) => TIMED_OUT.includes(c) || c === "timeout")) {
    return new SmsError({
      category: "provider_unavailable",
      reason: `${title} did not answer in time, so it is unknown whether the message was sent; do not send it again before checking with the person`,
      retryable: false,
    });
  }
  if (codes.includes("ECONNRESET") || codes.includes("EPIPE") || codes.includes("UND_ERR_SOCKET")) {
    return new SmsError({
      category: "provider_unavailable",
      reason: `the connection to ${title} broke mid-request, so it is unknown whether the message was sent; do not send it again before checking with the person`,
      retryable: false,
    });
  }
  return undefined;
}

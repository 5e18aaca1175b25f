import { asSmsError } from "./errors.js";
import { NO_METRICS, type SendMetrics } from "./ports/metrics.js";
import type { OutgoingSms, SendReceipt, SmsProvider } from "./ports/provider.js";
import { NO_TRACER, type SendTracer } from "./ports/tracer.js";

const MAX_ATTEMPTS = 2;
const RETRY_DELAY_MS = 500;
/** A provider asking for a longer wait gets a refusal the model can schedule, not a stall. */
const MAX_RETRY_WAIT_SECONDS = 2;
/** Recording the outcome and answering, after the last provider call. */
const RECORD_AND_ANSWER_MS = 500;

/**
 * The longest a send can take: every provider call, the longest wait between them, and the
 * answer. A send pending elsewhere is waited for this long, and a shutdown drains this long.
 */
export function longestSendMs(timeoutMs: number): number {
  return MAX_ATTEMPTS * timeoutMs + MAX_RETRY_WAIT_SECONDS * 1000 + RECORD_AND_ANSWER_MS;
}

/**
 * Hands the text to the provider. A failure is resent once, and only when the provider
 * certainly did not take the message (`safeToResend`: connection refused, 429), so a retry
 * can never text the person twice.
 */
export async function handOver(
  provider: SmsProvider,
  message: OutgoingSms,
  sleep: (ms: number) => Promise<void>,
  { metrics, tracer }: { metrics: SendMetrics; tracer: SendTracer } = {
    metrics: NO_METRICS,
    tracer: NO_TRACER,
  },
): Promise<SendReceipt> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      const receipt = await tracer.step("provider", () => provider.send(message));
      metrics.providerCall((performance.now() - started) / 1000, true);
      return receipt;
    } catch (error) {
      metrics.providerCall((performance.now() - started) / 1000, false);
      const failure = asSmsError(error);
      const wait = failure.retryAfterSeconds;
      const resend =
        failure.safeToResend &&
        attempt < MAX_ATTEMPTS &&
        (wait === undefined || wait <= MAX_RETRY_WAIT_SECONDS);
      if (!resend) throw failure;
      await sleep(wait !== undefined ? wait * 1000 : RETRY_DELAY_MS);
    }
  }
}

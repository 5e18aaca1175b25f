import type { SimulatorAccounts } from "./accounts.js";
import type { SimRequest } from "./http.js";

export interface SimContext {
  accounts: SimulatorAccounts;
  /** Messages each provider took, oldest first, as its API shows them (for list lookups). */
  messages: Array<{ provider: "twilio" | "plivo" | "telnyx"; resource: Record<string, unknown> }>;
  /** Keeps a request open without answering, as a stalled provider would. */
  hang(request: SimRequest): void;
  /**
   * Answers a send the provider took: normally, or as the accepted_* recipients ask (late,
   * with the connection reset, or with a body that is not JSON).
   */
  accepted(request: SimRequest, to: string, status: number, body: unknown): void;
  /**
   * The provider took the text: the inbox shows it, its delivery moves on, and each step is
   * reported to `callbackUrl` when the send named one, signed as the provider would.
   */
  took(
    request: SimRequest,
    provider: "twilio" | "plivo" | "telnyx",
    message: { id: string; to: string; from: string },
    callbackUrl: unknown,
  ): void;
}

export type RouteHandler = (request: SimRequest, context: SimContext) => void;

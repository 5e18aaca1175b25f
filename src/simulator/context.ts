import type { SimulatorAccounts } from "./accounts.js";
import type { SimRequest } from "./http.js";

export interface SimContext {
  accounts: SimulatorAccounts;
  /** Keeps a request open without answering, as a stalled provider would. */
  hang(request: SimRequest): void;
}

export type RouteHandler = (request: SimRequest, context: SimContext) => void;

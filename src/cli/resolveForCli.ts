import type { ResolvedConnection } from "../config/connection.js";
import { resolveConnection } from "../config/resolveConnection.js";
import type { CliContext } from "./context.js";

/** A named connection, else env mode, else the default: the same choice `serve` makes. */
export function resolveForCli(
  wanted: string | undefined,
  { environment, secrets }: CliContext,
): Promise<ResolvedConnection> {
  return resolveConnection({ wanted, environment, secrets });
}

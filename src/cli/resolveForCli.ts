import type { ResolvedConnection } from "../config/connection.js";
import { resolveConnection } from "../config/resolveConnection.js";
import { connectionStoreFor } from "./context.js";

/** A named connection, else env mode, else the default: the same choice `serve` makes. */
export function resolveForCli(wanted: string | undefined): Promise<ResolvedConnection> {
  const { path, secrets } = connectionStoreFor();
  return resolveConnection({ wanted, env: process.env, configPath: path, secrets });
}

import { ConfigError } from "../../config/configError.js";
import { loadConfig } from "../../config/configFile.js";
import { addConnectionToken, revokeConnectionToken } from "../../config/connectionTokens.js";
import { noSuchConnection } from "../../config/didYouMean.js";
import { findConnection } from "../../config/resolveConnection.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

/** `token add <connection>`: the token on stdout, once; how to use it on stderr. */
export async function tokenAddCommand(wanted: string, { environment }: CliContext) {
  const { connection, token, id } = await addConnectionToken(environment.configPath, wanted);
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `Token ${id} for "${connection.label}": shown this once (only its SHA-256 is kept). It opens /connections/${connection.id}/mcp and /connections/${connection.id}/sse; a running server picks it up within a second.\n`,
  );
}

export async function tokenListCommand(
  wanted: string,
  options: { json?: boolean },
  { environment }: CliContext,
) {
  const config = await loadConfig(environment.configPath);
  const connection = findConnection(config, wanted);
  if (!connection) throw new ConfigError(noSuchConnection(config, wanted));
  const tokens = (connection.tokens ?? []).map(({ id, created }) => ({ id, created }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(tokens)}\n`);
    return;
  }
  if (tokens.length === 0) {
    process.stdout.write(
      `"${connection.label}" has no tokens. Add one with: sms-mcp token add "${connection.label}"\n`,
    );
    return;
  }
  for (const token of tokens) process.stdout.write(`${token.id}  created ${token.created}\n`);
}

export async function tokenRevokeCommand(
  wanted: string,
  tokenId: string | undefined,
  options: { all?: boolean },
  { environment }: CliContext,
) {
  if ((tokenId === undefined) === (options.all !== true)) {
    throw new CliError("name one token id (from `sms-mcp token list`), or pass --all", 2);
  }
  const { connection, revoked } = await revokeConnectionToken(
    environment.configPath,
    wanted,
    tokenId ?? "all",
  );
  process.stdout.write(
    `Revoked ${revoked} token${revoked === 1 ? "" : "s"} of "${connection.label}"; a running server refuses ${revoked === 1 ? "it" : "them"} within a second.\n`,
  );
}

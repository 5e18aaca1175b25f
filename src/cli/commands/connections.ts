import { loadConfig } from "../../config/configFile.js";
import { setDefaultConnection } from "../../config/connectionStore.js";
import { PROVIDER_TITLES } from "../../sms/providerNames.js";
import type { CliContext } from "../context.js";

export async function connectionsCommand(
  options: { json?: boolean },
  { environment, secrets }: CliContext,
) {
  const path = environment.configPath;
  const config = await loadConfig(path);
  const rows = await Promise.all(
    config.connections.map(async (c) => ({
      id: c.id,
      label: c.label,
      provider: c.provider,
      defaultFrom: c.defaultFrom ?? null,
      isDefault: config.defaultConnection === c.id,
      // Presence only: the secret itself is never read into the output.
      secretInKeychain: await secrets.get(c.id).then(
        (s) => s !== null,
        () => null,
      ),
    })),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ configPath: path, connections: rows }, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(
      "No connections yet. Add one with: sms-mcp connect <twilio|plivo|telnyx> --label <label>\n",
    );
    return;
  }
  for (const r of rows) {
    const secret =
      r.secretInKeychain === null
        ? "keychain unavailable"
        : r.secretInKeychain
          ? "secret in keychain"
          : "SECRET MISSING";
    process.stdout.write(
      `${r.isDefault ? "*" : " "} ${r.label}  (${r.id})  ${PROVIDER_TITLES[r.provider]}  ${r.defaultFrom ?? "no default sender"}  ${secret}\n`,
    );
  }
}

/** `connections use <connection>`: the default from now on. */
export async function useConnectionCommand(wanted: string, { environment }: CliContext) {
  const connection = await setDefaultConnection(environment.configPath, wanted);
  process.stdout.write(
    `"${connection.label}" (${connection.id}) is now the default connection; serve and send use it unless --connection says otherwise.\n`,
  );
}

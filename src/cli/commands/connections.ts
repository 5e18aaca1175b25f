import { loadConfig } from "../../config/configFile.js";
import { setDefaultConnection } from "../../config/connectionStore.js";
import { PROVIDER_TITLES } from "../../sms/providerNames.js";
import { type SenderKind, senderKindOf } from "../../sms/sender.js";
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
      defaultFromKind: c.defaultFrom ? senderKindOf(c.defaultFrom, c.provider) : null,
      senders: c.senders ?? [],
      messagingProfileId: c.messagingProfileId ?? null,
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
    const sender = r.defaultFrom
      ? `${r.defaultFrom}${KIND_WORDS[r.defaultFromKind ?? "number"]}`
      : "no default sender";
    const extras = [
      r.messagingProfileId ? `through messaging profile ${r.messagingProfileId}` : "",
      r.senders.length ? `also from ${r.senders.join(", ")}` : "",
    ].filter(Boolean);
    process.stdout.write(
      `${r.isDefault ? "*" : " "} ${r.label}  (${r.id})  ${PROVIDER_TITLES[r.provider]}  ${sender}  ${secret}${
        extras.length ? `\n    ${extras.join("; ")}` : ""
      }\n`,
    );
  }
}

const KIND_WORDS: Record<SenderKind, string> = {
  number: "",
  messaging_service: " (Messaging Service)",
  powerpack: " (Powerpack)",
  alphanumeric: " (alphanumeric sender ID)",
};

/** `connections use <connection>`: the default from now on. */
export async function useConnectionCommand(wanted: string, { environment }: CliContext) {
  const connection = await setDefaultConnection(environment.configPath, wanted);
  process.stdout.write(
    `"${connection.label}" (${connection.id}) is now the default connection; serve and send use it unless --connection says otherwise.\n`,
  );
}

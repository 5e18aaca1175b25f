import { configPath } from "../config/paths.js";
import { KeytarSecretStore, type SecretStore } from "../config/secretStore.js";

/** Where the CLI keeps connections: the config file and the OS keychain. */
export function connectionStoreFor(): { path: string; secrets: SecretStore } {
  return { path: configPath(), secrets: new KeytarSecretStore() };
}

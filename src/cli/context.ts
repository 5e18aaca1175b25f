import { type Environment, readEnvironment } from "../config/environment.js";
import { KeytarSecretStore, type SecretStore } from "../config/secretStore.js";

/** What every command works with: the environment, read once, and the OS keychain. */
export interface CliContext {
  environment: Environment;
  secrets: SecretStore;
}

export function createCliContext(env: NodeJS.ProcessEnv): CliContext {
  const environment = readEnvironment(env);
  return { environment, secrets: new KeytarSecretStore(environment.sessionBusAddress) };
}

export const KEYCHAIN_SERVICE = "sms-mcp";

export interface SecretStore {
  get(connectionId: string): Promise<string | null>;
  set(connectionId: string, secret: string): Promise<void>;
  delete(connectionId: string): Promise<boolean>;
}

export class KeychainUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `the OS keychain is not available (${detail}). On Linux install libsecret-1-0 and run a Secret Service such as gnome-keyring; on a server or in a container use env mode instead (SMS_MCP_PROVIDER and the provider's own variables)`,
    );
    this.name = "KeychainUnavailableError";
  }
}

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** First line of an error only: keytar's native errors can be long and are never secret-bearing. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.slice(0, 200) ?? "unknown error";
}

/** The OS keychain through keytar, loaded only when a secret is first needed. */
export class KeytarSecretStore implements SecretStore {
  private keytar: Promise<Keytar> | undefined;

  private load(): Promise<Keytar> {
    this.keytar ??= import("@github/keytar").then(
      (module) => (module as { default?: Keytar }).default ?? (module as unknown as Keytar),
      (error: unknown) => {
        throw new KeychainUnavailableError(
          `the @github/keytar module could not be loaded: ${firstLine(error)}`,
        );
      },
    );
    return this.keytar;
  }

  private async call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    const keytar = await this.load();
    try {
      return await operation(keytar);
    } catch (error) {
      throw new KeychainUnavailableError(`no keychain service answered: ${firstLine(error)}`);
    }
  }

  get(connectionId: string) {
    return this.call((k) => k.getPassword(KEYCHAIN_SERVICE, connectionId));
  }

  set(connectionId: string, secret: string) {
    return this.call((k) => k.setPassword(KEYCHAIN_SERVICE, connectionId, secret));
  }

  delete(connectionId: string) {
    return this.call((k) => k.deletePassword(KEYCHAIN_SERVICE, connectionId));
  }
}

import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const KEYCHAIN_SERVICE = "sms-mcp";

export interface SecretStore {
  get(connectionId: string): Promise<string | null>;
  set(connectionId: string, secret: string): Promise<void>;
  delete(connectionId: string): Promise<boolean>;
}

export class KeychainUnavailableError extends Error {
  constructor(cause: string) {
    super(
      `the OS keychain is not available: ${cause}; on a server or in a container use env mode instead (SMS_MCP_PROVIDER and the provider's own variables)`,
    );
    this.name = "KeychainUnavailableError";
  }
}

/**
 * Why keytar's native binary would not load. Its loader swallows the dynamic loader's error
 * ("Failed to load keytar native addon"), so the binary is loaded once more to read it: that
 * error names the missing system library.
 */
function nativeLoadError(): string | undefined {
  try {
    const requireNative = createRequire(import.meta.url);
    const root = dirname(dirname(requireNative.resolve("@github/keytar")));
    requireNative(join(root, "prebuilds", `${process.platform}-${process.arch}`, "keytar.node"));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The real cause of a keychain failure, and its fix, in one clause. */
function causeOf(error: unknown, loading: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = /Failed to load keytar native addon/.test(message)
    ? `${message}\n${nativeLoadError() ?? ""}`
    : message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (loading && (code === "ERR_MODULE_NOT_FOUND" || /Cannot find (module|package)/.test(text))) {
    return "the @github/keytar module is not installed (it is an optional dependency); reinstall sms-mcp";
  }
  if (/libsecret/.test(text)) {
    return "its native library could not load; install libsecret-1-0 (Debian, Ubuntu: apt install libsecret-1-0)";
  }
  if (loading || /native addon|\.node\b|\.so\b/.test(text)) {
    return `the @github/keytar native binary could not load (${firstLine(error)}); reinstall sms-mcp, and on Linux install libsecret-1-0`;
  }
  if (
    /not provided by any|ServiceUnknown|StartServiceByName for org\.freedesktop\.secrets/.test(text)
  ) {
    return "no Secret Service answers on the session bus; install and start gnome-keyring (or KeePassXC with its Secret Service integration on)";
  }
  if (/locked|collection\/login|Object does not exist/i.test(text)) {
    return "the login keyring is locked or was never created; log in to the desktop once, or run gnome-keyring-daemon --unlock";
  }
  if (
    /autolaunch|DBUS_SESSION_BUS_ADDRESS|Could not connect|No such file|address is empty|dbus/i.test(
      text,
    )
  ) {
    return "no D-Bus session bus answers (DBUS_SESSION_BUS_ADDRESS is unset or unreachable, and there is no $XDG_RUNTIME_DIR/bus); run inside a desktop login session with a Secret Service such as gnome-keyring";
  }
  return `no keychain service answered (${firstLine(error)})`;
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

  /**
   * @param sessionBusAddress the D-Bus session bus to reach the Secret Service through, when
   *   the process was started without `DBUS_SESSION_BUS_ADDRESS` (see config/environment.ts).
   */
  constructor(private readonly sessionBusAddress?: string | undefined) {}

  private load(): Promise<Keytar> {
    // libsecret finds the bus through the process environment, read when it first connects.
    if (this.sessionBusAddress && !process.env.DBUS_SESSION_BUS_ADDRESS) {
      process.env.DBUS_SESSION_BUS_ADDRESS = this.sessionBusAddress;
    }
    this.keytar ??= import("@github/keytar").then(
      (module) => (module as { default?: Keytar }).default ?? (module as unknown as Keytar),
      (error: unknown) => {
        throw new KeychainUnavailableError(causeOf(error, true));
      },
    );
    return this.keytar;
  }

  private async call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    const keytar = await this.load();
    try {
      return await operation(keytar);
    } catch (error) {
      throw new KeychainUnavailableError(causeOf(error, false));
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

import { timingSafeEqual } from "node:crypto";
import { unwatchFile, watchFile } from "node:fs";
import { loadConfig } from "./configFile.js";
import { tokenDigest } from "./connectionTokens.js";

/** How often the config file is looked at for token changes (a revoke above all). */
const POLL_MS = 250;

/**
 * The per-connection tokens of the config file, by SHA-256, kept current while the server
 * runs: `sms-mcp token add|revoke` in another process takes effect within a second. A config
 * that cannot be read keeps the last good tokens (and says so), rather than opening or closing
 * every endpoint at once.
 */
export class ConfigTokenIndex {
  private owners: Array<{ digest: Buffer; connectionId: string }> = [];

  private constructor(private readonly path: string) {}

  static async open(
    path: string,
    onReloadError: (error: unknown) => void,
  ): Promise<ConfigTokenIndex> {
    const index = new ConfigTokenIndex(path);
    await index.reload();
    watchFile(path, { interval: POLL_MS, persistent: false }, () => {
      index.reload().catch(onReloadError);
    });
    return index;
  }

  private async reload(): Promise<void> {
    const config = await loadConfig(this.path);
    this.owners = config.connections.flatMap((connection) =>
      (connection.tokens ?? []).map((token) => ({
        digest: Buffer.from(token.sha256, "hex"),
        connectionId: connection.id,
      })),
    );
  }

  /** Compares the token's digest with every stored one, each in constant time. */
  connectionOf(token: string): string | undefined {
    const given = Buffer.from(tokenDigest(token), "hex");
    let owner: string | undefined;
    for (const { digest, connectionId } of this.owners) {
      if (digest.length === given.length && timingSafeEqual(digest, given)) owner = connectionId;
    }
    return owner;
  }

  get any(): boolean {
    return this.owners.length > 0;
  }

  close(): void {
    unwatchFile(this.path);
  }
}

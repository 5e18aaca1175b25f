import { unwatchFile, watchFile } from "node:fs";
import { loadConfig } from "./configFile.js";

/** How often the config file is looked at for token changes (a revoke above all). */
const POLL_MS = 250;

/**
 * The per-connection tokens of the config file, by SHA-256, kept current while the server
 * runs: `sms-mcp token add|revoke` in another process takes effect within a second. A config
 * that cannot be read keeps the last good tokens (and says so), rather than opening or closing
 * every endpoint at once.
 */
export class ConfigTokenIndex {
  private owners = new Map<string, string>();

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
    const owners = new Map<string, string>();
    for (const connection of config.connections) {
      for (const token of connection.tokens ?? []) owners.set(token.sha256, connection.id);
    }
    this.owners = owners;
  }

  connectionOf(sha256: string): string | undefined {
    return this.owners.get(sha256);
  }

  get any(): boolean {
    return this.owners.size > 0;
  }

  close(): void {
    unwatchFile(this.path);
  }
}

import { homedir } from "node:os";
import { join } from "node:path";

/** `$SMS_MCP_CONFIG`, else the platform's config directory + `sms-mcp/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SMS_MCP_CONFIG) return env.SMS_MCP_CONFIG;
  const home = homedir();
  if (process.platform === "win32") {
    return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "sms-mcp", "config.json");
  }
  if (process.platform === "darwin") {
    return join(home, "Library", "Application Support", "sms-mcp", "config.json");
  }
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "sms-mcp", "config.json");
}

import { homedir } from "node:os";
import { join } from "node:path";

/** `$SMS_MCP_CONFIG`, else the platform's config directory + `sms-mcp/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
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

/** The platform's state directory + `sms-mcp/audit.log`: where attempts go by default. */
export function defaultAuditLogPath(env: NodeJS.ProcessEnv): string {
  const home = homedir();
  if (process.platform === "win32") {
    return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "sms-mcp", "audit.log");
  }
  if (process.platform === "darwin") return join(home, "Library", "Logs", "sms-mcp", "audit.log");
  return join(env.XDG_STATE_HOME || join(home, ".local", "state"), "sms-mcp", "audit.log");
}

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

/**
 * `$SMS_MCP_STATE_DIR`, else the platform's state directory + `sms-mcp`
 * (`$XDG_STATE_HOME/sms-mcp` or `~/.local/state/sms-mcp` on Linux): the send ledger's home.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.SMS_MCP_STATE_DIR) return env.SMS_MCP_STATE_DIR;
  const home = homedir();
  if (process.platform === "win32") {
    return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "sms-mcp", "state");
  }
  if (process.platform === "darwin") {
    return join(home, "Library", "Application Support", "sms-mcp", "state");
  }
  return join(env.XDG_STATE_HOME || join(home, ".local", "state"), "sms-mcp");
}

/** Where attempts are logged by default: the state directory's `audit.log`. */
export function defaultAuditLogPath(env: NodeJS.ProcessEnv): string {
  if (env.SMS_MCP_STATE_DIR) return join(env.SMS_MCP_STATE_DIR, "audit.log");
  const home = homedir();
  if (process.platform === "win32") {
    return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "sms-mcp", "audit.log");
  }
  if (process.platform === "darwin") return join(home, "Library", "Logs", "sms-mcp", "audit.log");
  return join(env.XDG_STATE_HOME || join(home, ".local", "state"), "sms-mcp", "audit.log");
}

import pino, { type Logger } from "pino";

export type { Logger };

/** Paths that could ever carry a secret; redacted as a second line of defence. */
const REDACT = [
  "secret",
  "authToken",
  "apiKey",
  "password",
  "token",
  "*.secret",
  "*.authToken",
  "*.apiKey",
  "*.password",
  "*.token",
  "*.headers.authorization",
  "*.headers.Authorization",
  "err.config",
  "err.request",
  "err.response",
  "err.moreInfo",
];

/** Logs go to stderr only: in stdio mode stdout belongs to the MCP protocol. */
export function createLogger(level: string): Logger {
  return pino(
    { name: "sms-mcp", level, redact: { paths: REDACT, censor: "[redacted]" } },
    pino.destination({ fd: 2, sync: true }),
  );
}

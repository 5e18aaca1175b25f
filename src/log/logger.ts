import pino, { type Logger } from "pino";
import type { LogFormat } from "../config/environment.js";

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

const OPTIONS = { name: "sms-mcp", redact: { paths: REDACT, censor: "[redacted]" } };

/** Logs go to stderr only: in stdio mode stdout belongs to the MCP protocol. One JSON object a line. */
export function createLogger(level: string): Logger {
  return pino({ ...OPTIONS, level }, pino.destination({ fd: 2, sync: true }));
}

/**
 * The logger of a command: JSON lines ({@link createLogger}), or for a person at a terminal
 * one readable line each (time, level, message, then the fields), coloured unless NO_COLOR is
 * set. The readable format's code loads only when it is chosen.
 * @param format - `SMS_MCP_LOG_FORMAT`. @default `pretty` when stderr is a terminal, else `json`
 */
export async function openLogger(level: string, format?: LogFormat): Promise<Logger> {
  if ((format ?? (process.stderr.isTTY ? "pretty" : "json")) === "json") {
    return createLogger(level);
  }
  const { default: pretty } = await import("pino-pretty");
  return pino(
    { ...OPTIONS, level },
    pretty({
      destination: 2,
      sync: true,
      singleLine: true,
      colorize: process.stderr.isTTY === true && !process.env.NO_COLOR,
      translateTime: "SYS:HH:MM:ss",
      ignore: "pid,hostname,name",
    }),
  );
}

import { existsSync } from "node:fs";
import { loadConfig } from "../../config/configFile.js";
import { parseDuration } from "../../config/duration.js";
import { fromConfig } from "../../config/resolveConnection.js";
import { isFinalDelivery } from "../../sms/delivery.js";
import type { AuditRecord } from "../../sms/ports/audit.js";
import { PENDING_STALE_AFTER_MS } from "../../sms/ports/store.js";
import { readAudit } from "../../state/auditLog.js";
import { processIsAlive } from "../../state/fileLock.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { resolveForCli } from "../resolveForCli.js";
import { columnWidths } from "../table.js";

const two = (n: number) => String(n).padStart(2, "0");

/** A record's time in the reader's own time zone, with its offset: `2026-12-01 17:45:03 -05:00`. */
export function localTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  const offset = -time.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const date = `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())}`;
  const clock = `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${date} ${clock} ${zone}`;
}

export interface LogOptions {
  since: string;
  json?: boolean;
  file?: string;
  connection?: string;
}

function parseSince(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined)
    throw new CliError(`--since must look like 30m, 1h, 7d or 1w, not ${JSON.stringify(value)}`, 2);
  return seconds * 1000;
}

/** Which audit logs to read, and whose lines to show from them. */
interface AuditSource {
  paths: string[];
  /** With --connection: only lines recorded for this connection (logs may be shared). */
  connection?: string;
}

/**
 * The audit logs `serve` writes: the named connection's, or, by default, env mode's or every
 * configured connection's (each may have its own `guardrails.auditLog`) and the default one.
 */
async function auditSource(options: LogOptions, context: CliContext): Promise<AuditSource> {
  if (options.file !== undefined) {
    // A file named on purpose must exist: an empty answer would read as "nothing was sent".
    if (!existsSync(options.file)) throw new CliError(`--file ${options.file} does not exist`, 1);
    return { paths: [options.file] };
  }
  const { environment, secrets } = context;
  if (options.connection !== undefined || environment.envMode) {
    const connection = await resolveForCli(options.connection, context);
    // Connections share the default audit log: one named on purpose shows its own lines only.
    return {
      paths: [connection.auditLogPath],
      ...(options.connection !== undefined ? { connection: connection.label } : {}),
    };
  }
  const config = await loadConfig(environment.configPath);
  const paths = config.connections.map((c) => fromConfig(c, secrets, environment).auditLogPath);
  const fallback = environment.guardrailOverrides.auditLog ?? environment.defaultAuditLogPath;
  return { paths: [...new Set([fallback, ...paths])] };
}

type ShownRecord = AuditRecord & {
  interrupted?: true;
  /** The last delivery state recorded for the text (by `sms-mcp status` or a callback). */
  lastDelivery?: { state: string; errorCode: string | null; time: string };
};

/** Whether a pending line's send can no longer answer: its process is gone, or it is old. */
function interrupted(record: AuditRecord & { pid?: unknown }, now: number): boolean {
  if (now - Date.parse(record.time) > PENDING_STALE_AFTER_MS) return true;
  return typeof record.pid === "number" && !processIsAlive(record.pid);
}

/**
 * One record per attempt: a `pending` line gives way to its outcome line; one left without
 * an outcome by a process that stopped is shown as `unknown`, marked interrupted.
 */
function oneLinePerAttempt(records: AuditRecord[], now: number): ShownRecord[] {
  const settled = new Set<string>();
  for (const r of records) if (r.attempt && r.outcome !== "pending") settled.add(r.attempt);
  // Records are in time order: the last delivery line of a message is its last known state,
  // except that a final state (delivered, undelivered, failed) is never undone by a report of
  // an earlier stage that arrived late.
  const deliveries = new Map<string, NonNullable<ShownRecord["lastDelivery"]>>();
  for (const r of records) {
    if (r.outcome === "delivery" && r.messageId && typeof r.delivery === "string") {
      const known = deliveries.get(r.messageId);
      if (known && isFinalDelivery(known.state) && !isFinalDelivery(r.delivery)) continue;
      deliveries.set(r.messageId, {
        state: r.delivery,
        errorCode: r.deliveryErrorCode ?? null,
        time: r.time,
      });
    }
  }
  const shown: ShownRecord[] = [];
  for (const r of records) {
    if (r.outcome === "delivery") continue;
    const lastDelivery = r.messageId ? deliveries.get(r.messageId) : undefined;
    if (r.outcome !== "pending") shown.push(lastDelivery ? { ...r, lastDelivery } : r);
    else if (!r.attempt || !settled.has(r.attempt)) {
      shown.push(interrupted(r, now) ? { ...r, outcome: "unknown", interrupted: true } : r);
    }
  }
  return shown;
}

/** C0 and C1 controls, DEL, and the bidirectional overrides that reorder what follows them. */
const UNPRINTABLE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A recorded field as the operator's terminal may show it: a `to_` or a provider's string
 * holding ESC or another control character must not move the cursor or recolour the screen.
 */
function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** JSON escapes C0 itself; C1, DEL and the overrides are escaped the same way (still JSON). */
function printableJson(record: unknown): string {
  return printable(JSON.stringify(record));
}

/**
 * The table's columns that may be cut to fit a terminal, in the order they give way (the
 * connection first, the error category last); never the time, the recipient or the outcome.
 */
const CUTTABLE_COLUMNS = [1, 6, 7, 5, 4];
/** A cut column keeps this many characters, the last one an ellipsis. */
const NARROWEST = 4;
const OUTCOME_COLUMN = 3;
const SEPARATOR = 2;

/** The terminal's width when stdout is one (COLUMNS where the terminal does not say); else none. */
function terminalColumns(): number | undefined {
  if (!process.stdout.isTTY) return undefined;
  const columns = process.stdout.columns || Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/**
 * Narrows the cuttable columns, one after the other, until the table fits `columns` (a cut
 * cell ends in …). Off a terminal nothing is cut.
 */
function fitToTerminal(widths: number[], columns: number | undefined): void {
  if (columns === undefined) return;
  const total = () => widths.reduce((sum, w) => sum + w, 0) + SEPARATOR * (widths.length - 1);
  for (const i of CUTTABLE_COLUMNS) {
    const over = total() - columns;
    if (over <= 0) return;
    const width = widths[i] ?? 0;
    if (width > NARROWEST) widths[i] = Math.max(NARROWEST, width - over);
  }
}

const OUTCOME_COLOURS: Record<string, string> = {
  sent: "32",
  duplicate: "36",
  dry_run: "36",
  refused: "31",
  failed: "31",
  declined: "31",
  unknown: "33",
  "unknown*": "33",
};

/** Colours an outcome cell where colour is allowed: a terminal, and no NO_COLOR. */
function outcomePainter(): (outcome: string, padded: string) => string {
  const allowed = process.stdout.isTTY === true && !process.env.NO_COLOR;
  return (outcome, padded) => {
    const colour = allowed ? OUTCOME_COLOURS[outcome] : undefined;
    return colour ? `\u001b[${colour}m${padded}\u001b[39m` : padded;
  };
}

/** Recent attempts from the audit log, as a table or JSON lines. */
export async function logCommand(options: LogOptions, context: CliContext) {
  const cutoff = Date.now() - parseSince(options.since);
  const { paths, connection } = await auditSource(options, context);
  const records = oneLinePerAttempt(
    (await Promise.all(paths.map((path) => readAudit(path))))
      .flat()
      .filter((r) => Date.parse(r.time) >= cutoff)
      .filter((r) => connection === undefined || r.connection === connection)
      .sort((a, b) => Date.parse(a.time) - Date.parse(b.time)),
    Date.now(),
  );
  if (options.json) {
    for (const r of records) process.stdout.write(`${printableJson(r)}\n`);
    return;
  }
  if (records.length === 0) {
    process.stdout.write(`No attempts in the last ${options.since} (${paths.join(", ")}).\n`);
    return;
  }
  const rows = [
    ["time", "connection", "to", "outcome", "error", "segments", "message id", "delivery"],
    ...records.map((r) => [
      localTime(r.time),
      r.connection,
      r.to ?? "",
      r.interrupted ? "unknown*" : r.outcome,
      r.errorCategory ?? "",
      r.segments === null ? "" : `${r.segments} ${r.encoding ?? ""}`.trim(),
      r.messageId ?? "",
      r.lastDelivery
        ? `${r.lastDelivery.state}${r.lastDelivery.errorCode ? ` (${r.lastDelivery.errorCode})` : ""}`
        : "",
    ]),
  ];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) row[i] = printable(row[i] ?? "");
  }
  const widths = columnWidths(rows);
  fitToTerminal(widths, terminalColumns());
  const paint = outcomePainter();
  for (const [n, row] of rows.entries()) {
    const cells = row.map((cell, i) => {
      const width = widths[i] ?? 0;
      const shown = cell.length > width ? `${cell.slice(0, Math.max(width - 1, 0))}…` : cell;
      const padded = shown.padEnd(width);
      return n > 0 && i === OUTCOME_COLUMN ? paint(cell, padded) : padded;
    });
    process.stdout.write(`${cells.join("  ").trimEnd()}\n`);
  }
  if (records.some((r) => r.interrupted)) {
    process.stdout.write(
      "* no outcome was recorded: the process stopped mid-send, so the text may or may not have been sent\n",
    );
  }
}

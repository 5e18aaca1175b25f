import { parseDuration } from "../../config/duration.js";
import { defaultAuditPath, readAudit } from "../../sms/audit/auditLog.js";
import { CliError } from "../errors.js";

function parseSince(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined)
    throw new CliError(`--since must look like 30m, 1h or 7d, not ${JSON.stringify(value)}`, 2);
  return seconds * 1000;
}

/** Recent attempts from the audit log, as a table or JSON lines. */
export async function logCommand(options: { since: string; json?: boolean; file?: string }) {
  const path = options.file ?? defaultAuditPath();
  const cutoff = Date.now() - parseSince(options.since);
  const records = (await readAudit(path)).filter((r) => Date.parse(r.time) >= cutoff);
  if (options.json) {
    for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (records.length === 0) {
    process.stdout.write(`No attempts in the last ${options.since} (${path}).\n`);
    return;
  }
  const rows = [
    ["time", "connection", "to", "outcome", "error", "segments", "message id"],
    ...records.map((r) => [
      r.time.replace("T", " ").slice(0, 19),
      r.connection,
      r.to ?? "",
      r.outcome,
      r.errorCategory ?? "",
      r.segments === null ? "" : `${r.segments} ${r.encoding ?? ""}`.trim(),
      r.messageId ?? "",
    ]),
  ];
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  for (const row of rows) {
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
}

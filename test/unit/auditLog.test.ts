import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { AuditRecord } from "../../src/sms/ports/audit.js";
import { AuditLogFile } from "../../src/state/auditLog.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sms-mcp-audit-unit-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const record = (outcome: AuditRecord["outcome"]): AuditRecord => ({
  time: new Date().toISOString(),
  connection: "c",
  provider: "twilio",
  to: "+14155550123",
  from: "+14155550100",
  segments: 1,
  encoding: "GSM-7",
  outcome,
  errorCategory: null,
  messageId: null,
  bodySha256: null,
});

it("a log rotated by the user (renamed away) is followed by a new file at its path", async () => {
  const path = join(dir, "audit.log");
  const log = new AuditLogFile(path, 0);
  await log.append(record("sent"));
  await rename(path, `${path}.1`);
  await log.append(record("failed"));
  expect(await readFile(`${path}.1`, "utf8")).toContain('"outcome":"sent"');
  const fresh = await readFile(path, "utf8");
  expect(fresh).toContain('"outcome":"failed"');
  expect(fresh).not.toContain('"outcome":"sent"');
  log.close();
});

it("a pending line names its process", async () => {
  const path = join(dir, "audit.log");
  const log = new AuditLogFile(path);
  await log.append(record("pending"));
  expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ pid: process.pid });
  log.close();
});

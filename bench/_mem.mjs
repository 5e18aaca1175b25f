import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { startSimulator } from "../dist/simulator/simulator.js";
import { rssMiB } from "./lib.mjs";

const sim = await startSimulator();
const { twilio } = sim.accounts;
const auditDir = mkdtempSync(join(tmpdir(), "sms-mcp-bench-"));
const which = process.argv[2];
const env =
  which === "ours"
    ? {
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        SMS_MCP_PROVIDER: "twilio",
        SMS_MCP_DEFAULT_FROM: twilio.numbers[0],
        SMS_MCP_API_BASE_URL: sim.url,
        SMS_MCP_AUDIT_LOG: join(auditDir, "audit.log"),
        SMS_MCP_LOG_LEVEL: "warn",
        SMS_MCP_RATE_PER_CONNECTION: "10000000/24h",
        SMS_MCP_RATE_PER_RECIPIENT: "10000000/1h",
        ...(process.env.NODUP ? { SMS_MCP_DUPLICATE_WINDOW_SECONDS: "0" } : {}),
      }
    : {
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        BENCH_TWILIO_BASE_URL: sim.url,
        BENCH_FROM: twilio.numbers[0],
      };
const script = which === "ours" ? "dist/bin/main.js" : "bench/baselines/bareServer.mjs";
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [
    ...(process.env.FLAGS ? process.env.FLAGS.split(" ") : []),
    "--trace-gc",
    script,
    ...(which === "ours" ? ["serve"] : []),
  ],
  env: { ...process.env, ...env },
  stderr: "pipe",
});
let last = "";
transport.stderr.on("data", (d) => {
  const lines = String(d)
    .trim()
    .split("\n")
    .filter((l) => l.includes("Mark-Compact") || l.includes("Scavenge"));
  if (lines.length) last = lines.at(-1);
});
const client = new Client({ name: "m", version: "0" });
await client.connect(transport);
await client.listTools();
const AREA = [201, 212, 213, 305, 312, 404, 415, 512, 617, 702, 713, 801, 917, 206, 303, 602];
let n = 0;
const send = async (k) => {
  for (let i = 0; i < k; i++) {
    n++;
    const r = await client.callTool({
      name: "send_sms",
      arguments: { to_: `+1${AREA[n % 16]}${2000000 + Math.floor(n / 16)}`, message: `bench ${n}` },
    });
    if (r.isError) throw new Error(JSON.stringify(r));
  }
};
for (const k of [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]) {
  await send(k - n);
  console.log(
    k,
    rssMiB(transport.pid).toFixed(0),
    "MiB |",
    last.replace(/^\[\d+:0x[0-9a-f]+\]\s+/, "").slice(0, 110),
  );
}
await client.close();
await sim.close();

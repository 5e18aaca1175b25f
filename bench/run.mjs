// npm run bench: sms-mcp against baselines built from code in bench/, on loopback only.
// Each figure runs several times, interleaved with its baseline; the table compares medians.
// It is a measurement, not a test: it always exits 0.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startSimulator } from "../dist/simulator/simulator.js";
import { twilioAt } from "./baselines/twilio.mjs";
import {
  bundleBareServer,
  connectStdio,
  MODERN,
  median,
  percentile,
  rssMiB,
  startRedis,
} from "./lib.mjs";
import { measureScaling, scalingReport } from "./scaling.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const OURS = join(root, process.env.BENCH_ENTRY ?? "dist/bin/main.js");
// The baseline is a bare server on the same SDK major (v2); the v1-era one is measured beside it.
const BARE = join(root, "bench/baselines/bareServer.mjs");
const BARE_V1 = join(root, "bench/baselines/bareServerV1.mjs");
const BARE_HTTP = join(root, "bench/baselines/bareHttpServer.mjs");
// The same bare server bundled into one minified file as sms-mcp is (none of its swaps): how
// fast a server on this SDK can start by bundling alone, which bounds what ours can reach.
const BARE_BUNDLED = join(mkdtempSync(join(tmpdir(), "sms-mcp-bench-bare-")), "bareServer.mjs");
await bundleBareServer(BARE, BARE_BUNDLED);
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 3 : 11;
// Per-call p50 on a shared VM drifts by more than the gap it measures: many short interleaved
// blocks keep the two servers under the same conditions.
const CALLS = quick ? 400 : 4000;
const CALL_BLOCK = 100;
const HTTP_SESSIONS = 50;
const HTTP_SENDS_PER_SESSION = quick ? 10 : 40;

const sim = await startSimulator();
const { twilio } = sim.accounts;
const auditDir = mkdtempSync(join(tmpdir(), "sms-mcp-bench-"));
const twilioEnv = { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken };
const oursEnv = {
  ...twilioEnv,
  SMS_MCP_PROVIDER: "twilio",
  SMS_MCP_DEFAULT_FROM: twilio.numbers[0],
  SMS_MCP_API_BASE_URL: sim.url,
  SMS_MCP_AUDIT_LOG: join(auditDir, "audit.log"),
  SMS_MCP_STATE_DIR: join(auditDir, "state"),
  SMS_MCP_LOG_LEVEL: "warn",
  // Every guardrail stays on; only the volume limits are raised so a benchmark can send.
  SMS_MCP_RATE_PER_CONNECTION: "10000000/24h",
  SMS_MCP_RATE_PER_RECIPIENT: "10000000/1h",
};
// The shared ledger for the Redis rows; without a redis-server those rows say so.
const redis = await startRedis();
const redisEnv = redis ? { ...oursEnv, SMS_MCP_REDIS_URL: redis.url } : undefined;
const bareSendEnv = { ...twilioEnv, BENCH_TWILIO_BASE_URL: sim.url, BENCH_FROM: twilio.numbers[0] };
const node = process.execPath;

// Distinct, valid US numbers: real recipients parse as a country and a number type. (Numbers
// in the fictional 555 area code match no NANP country, so each one made libphonenumber try
// all 25 of them: about 2.5x the parse time of a real number.)
const AREA_CODES = [201, 212, 213, 305, 312, 404, 415, 512, 617, 702, 713, 801, 917, 206, 303, 602];
let sendCounter = 0;
const nextSend = () => {
  sendCounter += 1;
  const area = AREA_CODES[sendCounter % AREA_CODES.length];
  const line = 2_000_000 + (Math.floor(sendCounter / AREA_CODES.length) % 8_000_000);
  return { to_: `+1${area}${line}`, message: `bench ${sendCounter}` };
};

async function timeCalls(client, count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const result = await client.callTool({ name: "send_sms", arguments: nextSend() });
    times.push(performance.now() - started);
    if (result.isError) throw new Error(`send failed: ${JSON.stringify(result.content)}`);
  }
  return times;
}

// 1 and 4a: cold start and idle memory.
const cold = {
  ours: [],
  bare: [],
  bareV1: [],
  bareBundled: [],
  oursRss: [],
  bareRss: [],
  bareV1Rss: [],
  bareBundledRss: [],
};
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, args, env] of [
    ["ours", [OURS, "serve"], oursEnv],
    ["bare", [BARE], {}],
    ["bareV1", [BARE_V1], {}],
    ["bareBundled", [BARE_BUNDLED], {}],
  ]) {
    const s = await connectStdio(node, args, env);
    cold[name].push(s.coldStartMs);
    cold[`${name}Rss`].push(rssMiB(s.pid));
    await s.client.close();
  }
}

// 2: per call over stdio: ours with the local durable ledger (the default), ours with the
// ledger in Redis, and the bare server, in interleaved blocks.
const perCall = { ours: [], redis: [], bare: [], bareV1: [], oursModern: [], bareModern: [] };
{
  const servers = {
    ours: await connectStdio(node, [OURS, "serve"], oursEnv),
    bare: await connectStdio(node, [BARE], bareSendEnv),
    bareV1: await connectStdio(node, [BARE_V1], bareSendEnv),
    oursModern: await connectStdio(node, [OURS, "serve"], oursEnv, { era: "modern" }),
    bareModern: await connectStdio(node, [BARE], bareSendEnv, { era: "modern" }),
    ...(redisEnv ? { redis: await connectStdio(node, [OURS, "serve"], redisEnv) } : {}),
  };
  // Steady state: JIT-compiled paths and a warm connection pool, as for a long-lived host session.
  for (const server of Object.values(servers)) await timeCalls(server.client, 300);
  for (let i = 0; i < CALLS / CALL_BLOCK; i++) {
    for (const [name, server] of Object.entries(servers)) {
      perCall[name].push(...(await timeCalls(server.client, CALL_BLOCK)));
    }
  }
  for (const server of Object.values(servers)) await server.client.close();
}

// 4b: memory after 1,000 and 10,000 sends, ours and (for reference) the bare server's own growth.
const memory = { sends: quick ? 3000 : 10_000 };
for (const [name, args, env] of [
  ["ours", [OURS, "serve"], oursEnv],
  ["bare", [BARE], bareSendEnv],
]) {
  const s = await connectStdio(node, args, env);
  await timeCalls(s.client, 1000);
  memory[`${name}1k`] = rssMiB(s.pid);
  await timeCalls(s.client, memory.sends - 1000);
  memory[`${name}Later`] = rssMiB(s.pid);
  await s.client.close();
}

// 3: throughput with 50 concurrent Streamable HTTP sessions, against a direct SDK loop.
async function startHttp(
  env = oursEnv,
  args = [OURS, "serve", "--transport", "http", "--port", "0"],
) {
  const child = spawn(node, args, {
    env: { ...process.env, ...env, SMS_MCP_LOG_LEVEL: "info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.on("close", (code) => reject(new Error(`http server exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

/**
 * One round: 50 fresh clients on the running server (or spread over the servers given), each
 * sending its share in sequence. `era: "modern"`: 2026-07-28, every request stands alone;
 * `"legacy"`: a 2025-11-25 session each.
 */
async function oursHttpThroughput(era, ...urls) {
  const clients = await Promise.all(
    Array.from({ length: HTTP_SESSIONS }, async (_, n) => {
      const client = new Client(
        { name: "bench-http", version: "0" },
        era === "modern" ? { versionNegotiation: { mode: { pin: MODERN } } } : undefined,
      );
      const url = urls[n % urls.length];
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
      return client;
    }),
  );
  let errors = 0;
  const latencies = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < HTTP_SENDS_PER_SESSION; i++) {
        const sent = performance.now();
        const result = await client.callTool({ name: "send_sms", arguments: nextSend() });
        latencies.push(performance.now() - sent);
        if (result.isError) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return { perSecond: (HTTP_SESSIONS * HTTP_SENDS_PER_SESSION) / seconds, errors, latencies };
}

const direct = twilioAt(sim.url, twilio.accountSid, twilio.authToken);

async function directThroughput() {
  let errors = 0;
  const latencies = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: HTTP_SESSIONS }, async () => {
      for (let i = 0; i < HTTP_SENDS_PER_SESSION; i++) {
        const { to_, message } = nextSend();
        const sent = performance.now();
        await direct.messages
          .create({ to: to_, from: twilio.numbers[0], body: message })
          .catch(() => {
            errors += 1;
          });
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: (HTTP_SESSIONS * HTTP_SENDS_PER_SESSION) / seconds, errors, latencies };
}

const http = {
  ours: [],
  bare: [],
  legacy: [],
  direct: [],
  errors: 0,
  oursLatency: [],
  bareLatency: [],
  legacyLatency: [],
  directLatency: [],
};
{
  // One long-lived server each, as in production; the first round of each side warms the JIT
  // and the connection pools and is not counted.
  const { child, url } = await startHttp();
  const bare = await startHttp(bareSendEnv, [BARE_HTTP]);
  await oursHttpThroughput("modern", url);
  await oursHttpThroughput("modern", bare.url);
  await oursHttpThroughput("legacy", url);
  await directThroughput();
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const o = await oursHttpThroughput("modern", url);
    const b = await oursHttpThroughput("modern", bare.url);
    const l = await oursHttpThroughput("legacy", url);
    const d = await directThroughput();
    http.ours.push(o.perSecond);
    http.bare.push(b.perSecond);
    http.legacy.push(l.perSecond);
    http.direct.push(d.perSecond);
    http.errors += o.errors + b.errors + l.errors + d.errors;
    http.oursLatency.push(...o.latencies);
    http.bareLatency.push(...b.latencies);
    http.legacyLatency.push(...l.latencies);
    http.directLatency.push(...d.latencies);
  }
  child.kill("SIGTERM");
  bare.child.kill("SIGTERM");
}

redis?.stop();

await sim.close();

const rows = [];
const shown = (value, unit) => `${value.toFixed(unit === "ms" ? 2 : 1)} ${unit}`;
/** One row: ours against the baseline; `v1` is the v1-era bare server's figure, when measured. */
const row = (figure, ours, baseline, unit, goal, pass, v1) =>
  rows.push({
    figure,
    ours: shown(ours, unit),
    baseline: shown(baseline, unit),
    ratio: (ours / baseline).toFixed(3),
    goal,
    result: pass ? "pass" : "FAIL",
    "v1-era bare": v1 === undefined ? "" : shown(v1, unit),
  });

const coldRatio = median(cold.ours) / median(cold.bare);
row(
  "cold start: spawn → tools/list (median)",
  median(cold.ours),
  median(cold.bare),
  "ms",
  "≤ 0.70×",
  coldRatio <= 0.7,
  median(cold.bareV1),
);
row(
  "cold start: the bare v2 server, bundled (median)",
  median(cold.bareBundled),
  median(cold.bare),
  "ms",
  "(reported: the floor)",
  true,
);
const p50Ratio = median(perCall.ours) / median(perCall.bare);
row(
  "send_sms over stdio, p50 (local durable ledger)",
  median(perCall.ours),
  median(perCall.bare),
  "ms",
  "≤ 1.15×",
  p50Ratio <= 1.15,
  median(perCall.bareV1),
);
row(
  `send_sms over stdio, p50 (${MODERN})`,
  median(perCall.oursModern),
  median(perCall.bareModern),
  "ms",
  "(reported)",
  true,
);
if (redisEnv) {
  row(
    "send_sms over stdio, p50 (ledger in Redis)",
    median(perCall.redis),
    median(perCall.bare),
    "ms",
    "≤ 1.50×",
    median(perCall.redis) / median(perCall.bare) <= 1.5,
  );
} else {
  rows.push({
    figure: "send_sms over stdio, p50 (ledger in Redis)",
    ours: "no redis-server",
    baseline: "",
    ratio: "",
    goal: "≤ 1.50×",
    result: "skipped",
  });
}
row(
  "send_sms over stdio, p99",
  percentile(perCall.ours, 99),
  percentile(perCall.bare, 99),
  "ms",
  "(reported)",
  true,
  percentile(perCall.bareV1, 99),
);
const httpRatio = median(http.ours) / median(http.bare);
row(
  `HTTP ${MODERN}, ${HTTP_SESSIONS} clients: sends/s vs the bare v2 HTTP server`,
  median(http.ours),
  median(http.bare),
  "/s",
  "≥ 0.60×, no errors",
  httpRatio >= 0.6 && http.errors === 0,
);
row(
  `HTTP ${MODERN}, ${HTTP_SESSIONS} clients: sends/s vs a direct Twilio SDK loop`,
  median(http.ours),
  median(http.direct),
  "/s",
  "(reported)",
  true,
);
row(
  `HTTP 2025-11-25, ${HTTP_SESSIONS} sessions: sends/s (median)`,
  median(http.legacy),
  median(http.direct),
  "/s",
  "≥ 0.50×, no errors",
  median(http.legacy) / median(http.direct) >= 0.5 && http.errors === 0,
);
row(
  `HTTP ${MODERN}, ${HTTP_SESSIONS} clients: send p50 vs the bare v2 HTTP server`,
  median(http.oursLatency),
  median(http.bareLatency),
  "ms",
  "(reported)",
  true,
);
row(
  `HTTP ${MODERN}, ${HTTP_SESSIONS} clients: send p99 vs the bare v2 HTTP server`,
  percentile(http.oursLatency, 99),
  percentile(http.bareLatency, 99),
  "ms",
  "(reported)",
  true,
);
const rssRatio = median(cold.oursRss) / median(cold.bareRss);
row(
  "idle RSS after tools/list",
  median(cold.oursRss),
  median(cold.bareRss),
  "MiB",
  "≤ 1.20×",
  rssRatio <= 1.2,
  median(cold.bareV1Rss),
);
const growth = memory.oursLater / memory.ours1k;
const bareGrowth = memory.bareLater / memory.bare1k;
rows.push({
  figure: `RSS growth, 1,000 → ${memory.sends} sends`,
  ours: `${growth.toFixed(3)}× (${memory.ours1k.toFixed(0)} → ${memory.oursLater.toFixed(0)} MiB)`,
  baseline: `${bareGrowth.toFixed(3)}× (${memory.bare1k.toFixed(0)} → ${memory.bareLater.toFixed(0)} MiB)`,
  ratio: (growth / bareGrowth).toFixed(3),
  goal: "ours ≤ 1.10×",
  result: growth <= 1.1 ? "pass" : "FAIL",
  "v1-era bare": "",
});

const headers = ["figure", "ours", "baseline", "ratio", "goal", "result", "v1-era bare"];
const widths = headers.map((h) =>
  Math.max(h.length, ...rows.map((r) => String(r[h] ?? "").length)),
);
const line = (cells) => `| ${cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join(" | ")} |`;
console.log(
  `\nsms-mcp bench (${quick ? "quick" : "full"}): node ${process.version}, ${ROUNDS} cold starts each, ${CALLS} calls each, ${HTTP_SESSIONS}×${HTTP_SENDS_PER_SESSION} HTTP sends per round`,
);
console.log(
  "Baselines: a bare MCP SDK v2 stdio server (McpServer + serveStdio, one tool; its tool makes the same Twilio SDK call for the per-call figures), a bare SDK v2 HTTP server (createMcpHandler, the same tool and call), and a direct Twilio SDK loop with the same concurrency. The last column is the bare stdio server on SDK v1, measured in the same run.\n",
);
console.log(line(headers));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(headers.map((h) => r[h])));
console.log(
  `\nHTTP errors: ${http.errors}. Cold starts ours: ${cold.ours.map((t) => t.toFixed(0)).join(", ")} ms; bare: ${cold.bare.map((t) => t.toFixed(0)).join(", ")} ms; bare bundled: ${cold.bareBundled.map((t) => t.toFixed(0)).join(", ")} ms; bare v1: ${cold.bareV1.map((t) => t.toFixed(0)).join(", ")} ms.`,
);
// The scaling model, on its own replicas (after the figures above, so they do not compete).
console.log(`\nScaling (bench/scaling.mjs):\n\n${scalingReport(await measureScaling())}`);
process.exit(0);

// npm run bench:scaling (and the last part of npm run bench): a scaling model you can check.
// It measures, in one run, what one send costs the server (process CPU), and Redis (commands
// and CPU), projects the throughput of N replicas until Redis saturates, and checks the
// projection at N = 1 and 2 against replicas pinned to cores of their own (taskset) where the
// machine has them. A measurement, not a test: it always exits 0.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startSimulator } from "../dist/simulator/simulator.js";
import { MODERN, startRedis } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const OURS = join(root, "dist/bin/main.js");
const CLIENTS = 50;
const SENDS = Number(process.env.BENCH_SCALING_SENDS ?? 2000);
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function redisInfo(port, section) {
  return execFileSync("redis-cli", ["-p", String(port), "info", section], { encoding: "utf8" });
}

/** Commands Redis ran (those inside scripts included), and scripts run. */
function redisCommands(port) {
  let calls = 0;
  let scripts = 0;
  for (const [, name, count] of redisInfo(port, "commandstats").matchAll(
    /cmdstat_(\w+):calls=(\d+)/g,
  )) {
    calls += Number(count);
    if (name === "evalsha" || name === "eval") scripts += Number(count);
  }
  return { calls, scripts };
}

function redisCpu(port) {
  const info = redisInfo(port, "cpu");
  const read = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read("used_cpu_sys") + read("used_cpu_user");
}

/** Spawns a replica, on `core` when taskset is here, and resolves with its URL. */
function startReplica(env, core) {
  const pinned = core !== undefined && spawnSync("taskset", ["--version"]).status === 0;
  const [command, args] = pinned
    ? ["taskset", ["-c", String(core), process.execPath, OURS]]
    : [process.execPath, [OURS]];
  const child = spawn(
    command,
    [...args, "serve", "--transport", "http", "--port", "0", "--stateless"],
    {
      env: { ...process.env, ...env, SMS_MCP_LOG_LEVEL: "info" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match) resolve({ child, url: match[1], pinned });
    });
    child.on("close", (code) => reject(new Error(`replica exited ${code}: ${stderr}`)));
  });
}

let counter = 0;
const nextSend = () => {
  counter += 1;
  return { to_: `+1212${String(2_000_000 + (counter % 7_000_000))}`, message: `scale ${counter}` };
};

/** `sends` texts from 50 clients spread over the replicas; sends per second. */
async function load(urls, sends) {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, n) => {
      const client = new Client(
        { name: "bench-scaling", version: "0" },
        { versionNegotiation: { mode: { pin: MODERN } } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${urls[n % urls.length]}/mcp`)),
      );
      return client;
    }),
  );
  const each = Math.ceil(sends / CLIENTS);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < each; i++) {
        await client.callTool({ name: "send_sms", arguments: nextSend() });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return (each * CLIENTS) / seconds;
}

/**
 * One Redis core's ceiling, measured: the store's own claim and settle scripts (what a send
 * costs Redis) driven as fast as 64 concurrent loops go, in sends per second and Redis CPU.
 */
async function redisCeiling(url, port) {
  const { RedisGuardrailStore } = await import("../dist/state/redisStore.js");
  const store = new RedisGuardrailStore({ target: { kind: "single", url }, prefix: "ceiling:" });
  await store.waitUntilReady(5000);
  const pairs = Number(process.env.BENCH_SCALING_PAIRS ?? 20000);
  let next = 0;
  const cpuBefore = redisCpu(port);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < pairs) {
        next += 1;
        const attemptId = `a${next}`;
        const key = `dup-${next}`;
        const to = `+1212${2_000_000 + next}`;
        await store.claim(
          {
            attemptId,
            duplicate: { key, windowMs: 600_000 },
            buckets: [
              { key: `recipient-${to}`, limit: 1e9, windowMs: 3_600_000, label: "" },
              { key: "connection", limit: 1e9, windowMs: 86_400_000, label: "" },
            ],
            attempt: { to, from: "+12025550100", bodySha256: "0".repeat(64) },
          },
          Date.now(),
        );
        await store.settle(attemptId, key, { outcome: "sent", messageId: `SM${next}` }, Date.now());
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = redisCpu(port) - cpuBefore;
  await store.close();
  // Redis runs scripts on one thread: its busy share of that thread bounds the rate.
  return { sendsPerSecond: pairs / seconds, busy: cpu / seconds, perCore: pairs / cpu };
}

export async function measureScaling() {
  const redis = await startRedis();
  if (!redis) return undefined;
  const port = Number(new URL(redis.url).port);
  const sim = await startSimulator();
  const { twilio } = sim.accounts;
  const dir = mkdtempSync(join(tmpdir(), "sms-mcp-scaling-"));
  const env = {
    SMS_MCP_PROVIDER: "twilio",
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    SMS_MCP_DEFAULT_FROM: twilio.numbers[0],
    SMS_MCP_API_BASE_URL: sim.url,
    SMS_MCP_REDIS_URL: redis.url,
    SMS_MCP_AUDIT_LOG: join(dir, "audit.log"),
    SMS_MCP_STATE_DIR: join(dir, "state"),
    SMS_MCP_RATE_PER_CONNECTION: "100000000/24h",
    SMS_MCP_RATE_PER_RECIPIENT: "100000000/1h",
  };
  const cores = cpus().length;
  try {
    // The costs of one send, on one replica, after a warm-up round.
    const one = await startReplica(env, 0);
    await load([one.url], 500);
    const before = {
      cpu: cpuSeconds(one.child.pid),
      commands: redisCommands(port),
      redisCpu: redisCpu(port),
    };
    const measuredOne = await load([one.url], SENDS);
    const sent = Math.ceil(SENDS / CLIENTS) * CLIENTS;
    const serverCpuMs = ((cpuSeconds(one.child.pid) - before.cpu) * 1000) / sent;
    const after = redisCommands(port);
    const commandsPerSend = (after.calls - before.commands.calls) / sent;
    const scriptsPerSend = (after.scripts - before.commands.scripts) / sent;
    const redisCpuUs = ((redisCpu(port) - before.redisCpu) * 1e6) / sent;
    // A replica on a core of its own sends at most one send per serverCpuMs; one Redis core
    // carries at most one send per redisCpuUs.
    const replicaCapacity = 1000 / serverCpuMs;
    const ceiling = await redisCeiling(redis.url, port);
    // Sends per second of one fully busy Redis core: measured on the scripts alone.
    const redisCapacity = ceiling.perCore;
    const project = (n) => Math.min(n * replicaCapacity, redisCapacity);
    let measuredTwo;
    let two;
    if (cores >= 2) {
      two = await startReplica(env, 1);
      await load([one.url, two.url], 500);
      measuredTwo = await load([one.url, two.url], SENDS);
    }
    one.child.kill("SIGTERM");
    two?.child.kill("SIGTERM");
    return {
      cores,
      pinned: one.pinned,
      serverCpuMs,
      commandsPerSend,
      scriptsPerSend,
      redisCpuUs,
      replicaCapacity,
      redisCapacity,
      ceiling,
      saturatesAt: Math.ceil(redisCapacity / replicaCapacity),
      project,
      measuredOne,
      measuredTwo,
    };
  } finally {
    redis.stop();
    await sim.close();
  }
}

/** The model as README rows. */
export function scalingReport(model) {
  if (!model) return "Scaling: no redis-server on this machine, so no model.";
  const lines = [
    `| figure | value |`,
    `|---|---|`,
    `| server CPU per send (one replica, HTTP 2026-07-28, ledger in Redis) | ${model.serverCpuMs.toFixed(3)} ms |`,
    `| Redis round trips per send: scripts (claim, settle) | ${model.scriptsPerSend.toFixed(2)} |`,
    `| Redis commands per send, those inside the scripts included | ${model.commandsPerSend.toFixed(1)} |`,
    `| Redis CPU per send | ${model.redisCpuUs.toFixed(1)} µs |`,
    `| one replica's ceiling (one core, CPU-bound) | ${model.replicaCapacity.toFixed(0)} sends/s |`,
    `| one Redis core's ceiling: claim + settle scripts driven alone | ${model.redisCapacity.toFixed(0)} sends/s of Redis CPU (${model.ceiling.sendsPerSecond.toFixed(0)} sends/s reached, Redis ${(model.ceiling.busy * 100).toFixed(0)}% busy) |`,
    `| replicas before Redis saturates | ${model.saturatesAt} |`,
    `| N = 1: projected / measured | ${model.project(1).toFixed(0)} / ${model.measuredOne.toFixed(0)} sends/s |`,
    model.measuredTwo === undefined
      ? `| N = 2 | one core only: not measured |`
      : `| N = 2: projected / measured | ${model.project(2).toFixed(0)} / ${model.measuredTwo.toFixed(0)} sends/s |`,
  ];
  const note = `(${model.cores} cores; replicas ${model.pinned ? "pinned with taskset" : "not pinned (no taskset)"}; the simulator, Redis and the 50 clients share the same cores, so the measured figures are below the projection whenever the load generator needs the CPU the model gives a replica.)`;
  return `${lines.join("\n")}\n\n${note}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const model = await measureScaling();
  console.log(`\nsms-mcp bench:scaling\n\n${scalingReport(model)}\n`);
}

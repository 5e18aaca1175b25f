import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

/** The protocol revision of the modern era, as a v2 client pins it. */
export const MODERN = "2026-07-28";

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const median = (values) => percentile(values, 50);

/** Resident set size of a process, from /proc (Linux), in MiB. */
export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * Spawns a stdio MCP server and connects the SDK's (v2) Client, timing spawn → tools/list
 * answered. `era: "legacy"` (the default) opens with `initialize`, as today's hosts do;
 * `"modern"` speaks 2026-07-28 (the client's probe runs first, on a sibling process).
 */
export async function connectStdio(command, args, env, { era = "legacy" } = {}) {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...process.env, ...env },
    stderr: "ignore",
  });
  const client = new Client(
    { name: "bench", version: "0" },
    era === "modern" ? { versionNegotiation: { mode: { pin: MODERN } } } : undefined,
  );
  await client.connect(transport);
  await client.listTools();
  const coldStartMs = performance.now() - started;
  return { client, transport, coldStartMs, pid: transport.pid };
}

/** A throwaway redis-server on a free loopback port, or undefined when none is installed. */
export async function startRedis() {
  const { spawn, spawnSync } = await import("node:child_process");
  if (spawnSync("redis-server", ["--version"]).status !== 0) return undefined;
  const { createServer } = await import("node:net");
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "ignore"] });
  await new Promise((resolve) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => child.kill("SIGKILL") };
}

/**
 * Bundles a baseline server into one minified ES module file with esbuild, as sms-mcp's bin is
 * bundled (its provider import stays a separate file, loaded on first use).
 */
export async function bundleBareServer(entry, outfile) {
  const { build } = await import("esbuild");
  const { NODE_ESM_BUNDLE } = await import("../scripts/nodeEsmBundle.mjs");
  const { dirname, join } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  const baselines = dirname(entry);
  await build({
    entryPoints: [entry],
    outfile,
    ...NODE_ESM_BUNDLE,
    minify: true,
    logLevel: "warning",
    plugins: [
      {
        name: "baseline-siblings",
        setup(b) {
          b.onResolve({ filter: /^\.\/[^/]+\.mjs$/ }, (args) =>
            args.importer === entry
              ? { path: pathToFileURL(join(baselines, args.path)).href, external: true }
              : undefined,
          );
        },
      },
    ],
  });
}

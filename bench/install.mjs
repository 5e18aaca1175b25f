// npm run bench:install: what a new user waits for and carries. Packs this checkout, then
//  1. installs the tarball into an empty prefix (npm's cache warm, install scripts off) and
//     reports the package count and the size of node_modules;
//  2. times a cold `npx -y --package <tarball> sms-mcp serve` with an empty npm cache (every package fetched
//     from the registry, as on a machine that never ran sms-mcp) until it answers
//     `initialize`, and a warm one (the cache now full) for comparison.
// Needs the npm registry. A measurement, not a test: it always exits 0.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "sms-mcp-install-"));

function sizeOf(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

const [packed] = JSON.parse(
  execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: root,
    encoding: "utf8",
  }),
);
const tarball = join(work, packed.filename);
console.log(
  `tarball: ${(packed.size / 1000).toFixed(0)} kB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${packed.entryCount} files`,
);

const prefix = join(work, "prefix");
const started = performance.now();
execFileSync(
  "npm",
  ["install", "--prefix", prefix, tarball, "--ignore-scripts", "--no-audit", "--no-fund"],
  { stdio: "ignore" },
);
const installSeconds = (performance.now() - started) / 1000;
const packages =
  execFileSync("npm", ["ls", "--prefix", prefix, "--all", "--parseable"], {
    encoding: "utf8",
  })
    .trim()
    .split("\n").length - 1;
console.log(
  `npm install <tarball> (warm cache): ${packages} packages, ${(sizeOf(join(prefix, "node_modules")) / 1e6).toFixed(0)} MB node_modules, ${installSeconds.toFixed(1)} s`,
);

/** Seconds from spawning npx to the server's answer to `initialize`. */
async function npxStart(cache) {
  const env = {
    ...process.env,
    npm_config_cache: cache,
    SMS_MCP_PROVIDER: "telnyx",
    TELNYX_API_KEY: "KEYinstallbench",
    SMS_MCP_DEFAULT_FROM: "+15550300001",
    SMS_MCP_STATE_DIR: join(work, "state"),
    SMS_MCP_AUDIT_LOG: join(work, "audit.log"),
  };
  const begin = performance.now();
  const client = new Client({ name: "install-bench", version: "0" });
  await client.connect(
    new StdioClientTransport({
      command: "npx",
      args: ["-y", "--package", tarball, "sms-mcp", "serve"],
      env,
      cwd: work,
      stderr: "ignore",
    }),
  );
  const seconds = (performance.now() - begin) / 1000;
  await client.close();
  return seconds;
}

const cache = join(work, "npm-cache");
console.log(
  `cold npx -y <tarball> serve (empty npm cache): ${(await npxStart(cache)).toFixed(1)} s`,
);
console.log(
  `warm npx -y <tarball> serve (cache full):      ${(await npxStart(cache)).toFixed(1)} s`,
);
rmSync(work, { recursive: true, force: true });

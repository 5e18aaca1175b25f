// The package as a user gets it: `npm pack` on this checkout (prepack builds it), installed
// into an empty prefix with install scripts off, then run from there.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keychainStatus } from "../helpers/keychain.js";
import { cleanEnv } from "../helpers/simulatorEnv.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const keychain = await keychainStatus();

describe("the packed tarball, installed with --ignore-scripts", () => {
  let dir: string;
  let tarball: string;
  let bin: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-pack-"));
    // The suite has just built dist/ (pretest); prepack would rebuild it under the feet of the
    // test files running beside this one, so it is skipped here (a fresh clone runs it).
    await run("npm", ["pack", "--pack-destination", dir, "--silent", "--ignore-scripts"], {
      cwd: root,
    });
    const [name] = (await readdir(dir)).filter((f) => f.endsWith(".tgz"));
    tarball = join(dir, name as string);
    const prefix = join(dir, "prefix");
    await run(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        tarball,
        "--ignore-scripts",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
      ],
      { cwd: dir },
    );
    bin = join(prefix, "node_modules", ".bin", "sms-mcp");
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("ships the bin, LICENSE, README, mcp.json and server.json, and no source maps", async () => {
    const { stdout } = await run("tar", ["tzf", tarball]);
    const files = stdout.trim().split("\n");
    for (const expected of [
      "LICENSE",
      "README.md",
      "mcp.json",
      "server.json",
      "dist/bin/main.js",
    ]) {
      expect(files).toContain(`package/${expected}`);
    }
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => /^package\/(src|test|dist\/(cli|sms|server))\//.test(f))).toEqual(
      [],
    );
  });

  it("runs the demo end to end from the installed package", async () => {
    const { stdout } = await run(bin, ["demo"], { env: cleanEnv(), timeout: 60_000 });
    expect(stdout).toContain("answer:  SMS sent.");
  });

  it.skipIf(!keychain.available)(
    `loads the keychain module without an install script${keychain.available ? "" : ` (skipped: ${keychain.reason})`}`,
    async () => {
      const config = join(dir, "config.json");
      const env = { ...cleanEnv(), SMS_MCP_CONFIG: config };
      const label = `Packed ${process.pid}`;
      const child = execFile(
        bin,
        ["connect", "telnyx", "--label", label, "--no-verify", "--default-from", "+15550300001"],
        { env },
      );
      child.stdin?.end("KEYpacked-secret\n");
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code).toBe(0);
      const { stdout } = await run(bin, ["connections", "--json"], { env });
      expect(JSON.parse(stdout).connections[0]).toMatchObject({ label, secretInKeychain: true });
      await run(bin, ["disconnect", label], { env });
    },
  );
});

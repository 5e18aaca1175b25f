// The package as a user gets it: `npm pack` on this checkout (prepack builds it), installed
// into an empty prefix with install scripts off, then run from there.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keychainStatus } from "../helpers/keychain.js";
import { cleanEnv } from "../helpers/simulatorEnv.js";
import { windowAroundNow } from "../helpers/wallClock.js";

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
      "dist/bin/ajv-provider.cjs",
      "dist/bin/THIRD_PARTY_LICENSES.md",
    ]) {
      expect(files).toContain(`package/${expected}`);
    }
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => /^package\/(src|test|dist\/(cli|sms|server))\//.test(f))).toEqual(
      [],
    );
  });

  it("the installed bin carries the SDK's JSON Schema validator beside it, loadable on first use", async () => {
    const provider = join(
      dir,
      "prefix",
      "node_modules",
      "sms-mcp",
      "dist",
      "bin",
      "ajv-provider.cjs",
    );
    const { stdout } = await run(process.execPath, [
      "-e",
      `const { AjvJsonSchemaValidator } = require(${JSON.stringify(provider)});
       const check = new AjvJsonSchemaValidator().getValidator({ type: "object", properties: { send: { type: "boolean" } }, required: ["send"] });
       console.log(JSON.stringify([check({ send: true }).valid, check({ send: "yes" }).valid]));`,
    ]);
    expect(JSON.parse(stdout)).toEqual([true, false]);
  });

  it("installs only what the bin loads at run time: the provider SDKs, the keychain module and the time-zone data", async () => {
    const installed = JSON.parse(
      (await run("npm", ["ls", "--prefix", join(dir, "prefix"), "--all", "--json"])).stdout,
    ).dependencies["sms-mcp"].dependencies;
    // Everything else (the MCP SDK, zod, commander, pino…) is inside the bundle;
    // libphonenumber-geo-carrier stays outside because it reads its data files beside itself.
    expect(Object.keys(installed).sort()).toEqual([
      "@github/keytar",
      "libphonenumber-geo-carrier",
      "plivo",
      "telnyx",
      "twilio",
    ]);
  });

  it("runs the demo end to end from the installed package", async () => {
    const { stdout } = await run(bin, ["demo"], { env: cleanEnv(), timeout: 60_000 });
    expect(stdout).toContain("answer:  SMS sent.");
  });

  it("judges links and quiet hours from the installed package (the linkifier chunk and the zone data load)", async () => {
    const env = {
      ...cleanEnv(),
      SMS_MCP_PROVIDER: "telnyx",
      TELNYX_API_KEY: "KEYpackagetest",
      SMS_MCP_DEFAULT_FROM: "+12025550100",
      SMS_MCP_DRY_RUN: "1",
    };
    const send = (message: string, extra: Record<string, string>) =>
      run(bin, ["send", "--to", "+12125550123", "--message", message], {
        env: { ...env, ...extra },
      }).then(
        () => "",
        (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
      );
    expect(
      await send("Pay at evil.zip/x", { SMS_MCP_ALLOWED_LINK_DOMAINS: "pay.example.com" }),
    ).toMatch(/evil\.zip, which is not on this connection's link domains/);
    expect(await send("Hi", { SMS_MCP_QUIET_HOURS: windowAroundNow("America/New_York") })).toMatch(
      /quiet hours/,
    );
  });

  it.each([
    [
      "without the optional keychain module",
      async (keytar: string) => rm(keytar, { recursive: true }),
      /the @github\/keytar module is not installed .*reinstall sms-mcp/,
    ],
    [
      "with a keychain binary that cannot load",
      async (keytar: string) => {
        for (const platform of await readdir(join(keytar, "prebuilds"))) {
          await writeFile(join(keytar, "prebuilds", platform, "keytar.node"), "not a binary");
        }
      },
      /the @github\/keytar native binary could not load .*reinstall sms-mcp/,
    ],
  ] as const)(
    "%s: connect names the cause and the fix, and env mode still sends",
    async (_name, breakIt, cause) => {
      const copy = join(dir, `broken-${Math.random().toString(36).slice(2)}`);
      // The installed prefix again, with its own copy of sms-mcp and of the keychain module
      // (to break) and links to the rest: copying the provider SDKs would take long.
      const installed = join(dir, "prefix", "node_modules");
      for (const name of await readdir(installed)) {
        if (name === ".bin" || name === ".package-lock.json") continue;
        const copied = name === "sms-mcp" || name === "@github";
        await mkdir(join(copy, "node_modules"), { recursive: true });
        if (copied)
          await cp(join(installed, name), join(copy, "node_modules", name), { recursive: true });
        else await symlink(join(installed, name), join(copy, "node_modules", name));
      }
      await breakIt(join(copy, "node_modules", "@github", "keytar"));
      const brokenBin = join(copy, "node_modules", "sms-mcp", "dist", "bin", "main.js");
      const env = { ...cleanEnv(), SMS_MCP_CONFIG: join(copy, "config.json") };
      const connect = execFile(
        brokenBin,
        ["connect", "telnyx", "--label", "X", "--no-verify", "--default-from", "+15550300001"],
        { env },
      );
      let stderr = "";
      connect.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      connect.stdin?.end("KEYsecret\n");
      expect(await new Promise((resolve) => connect.on("close", resolve))).toBe(1);
      expect(stderr).toMatch(cause);
      const { stdout } = await run(brokenBin, ["demo"], { env: cleanEnv(), timeout: 60_000 });
      expect(stdout).toContain("answer:  SMS sent.");
    },
  );

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

// Hosts built on the MCP SDK start servers with a bare environment: no DBUS_SESSION_BUS_ADDRESS.
// The keychain must still be found through the session bus socket in the runtime dir, and each
// way it can fail must say its real cause. (GLib itself looks at $XDG_RUNTIME_DIR/bus; the
// server adds /run/user/<uid>/bus for hosts that pass no XDG_RUNTIME_DIR either: see the unit
// test of readEnvironment.)
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { CLI_PATH } from "../helpers/stdioServer.js";

const tools = ["dbus-daemon", "gnome-keyring-daemon"].filter(
  (tool) => spawnSync("which", [tool]).status !== 0,
);
const available = tools.length === 0;
if (!available && process.env.CI === "true") {
  describe("D-Bus", () => {
    it("must be installed in CI (.ci/run installs dbus and gnome-keyring)", () => {
      throw new Error(`missing: ${tools.join(", ")}`);
    });
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function startKeyring(dir: string, bus: string, unlock: boolean): ChildProcess {
  const keyring = spawn(
    "gnome-keyring-daemon",
    ["--foreground", ...(unlock ? ["--unlock"] : []), "--components=secrets"],
    {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: dir,
        XDG_RUNTIME_DIR: dir,
        XDG_DATA_HOME: join(dir, "data"),
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}`,
      },
      stdio: ["pipe", "ignore", "ignore"],
    },
  );
  keyring.stdin?.end(unlock ? "test-keyring-password" : "");
  return keyring;
}

/**
 * A runtime dir with a session bus at `bus`, and optionally a keyring on it: unlocked, or
 * locked (a login keyring that exists, from a daemon started again without its password).
 */
async function runtimeDir(keyring: "none" | "unlocked" | "locked") {
  const dir = await mkdtemp(join(tmpdir(), "sms-mcp-rt-"));
  await chmod(dir, 0o700);
  await mkdir(join(dir, "data"));
  const bus = join(dir, "bus");
  const children: ChildProcess[] = [];
  // A session bus with no service activation: nothing but the keyring started here answers.
  const config = join(dir, "bus.conf");
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=${bus}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`,
  );
  children.push(spawn("dbus-daemon", [`--config-file=${config}`, "--nofork"], { stdio: "ignore" }));
  await until(() => existsSync(bus), "the session bus");
  if (keyring === "locked") {
    const first = startKeyring(dir, bus, true);
    await until(() => existsSync(join(dir, "data", "keyrings", "login.keyring")), "the keyring");
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
  }
  if (keyring !== "none") children.push(startKeyring(dir, bus, keyring === "unlocked"));
  return {
    dir,
    /** Exactly what a host gives a server it starts: no D-Bus variable, no display. */
    bareEnv: (extra: Record<string, string> = {}) => ({
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_RUNTIME_DIR: dir,
      SMS_MCP_CONFIG: join(dir, "config.json"),
      SMS_MCP_STATE_DIR: join(dir, "state"),
      ...extra,
    }),
    async stop() {
      for (const child of children.reverse()) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function cli(args: string[], env: Record<string, string>, input = "") {
  const run = spawnSync(process.execPath, [CLI_PATH, ...args], { env, input, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.skipIf(!available)(
  `the keychain under a bare environment${available ? "" : ` (skipped: no ${tools.join(", ")})`}`,
  () => {
    let sim: Simulator;
    beforeAll(async () => {
      sim = await startSimulator();
    });
    afterAll(() => sim?.close());

    it("finds the session bus at $XDG_RUNTIME_DIR/bus: connect stores the secret, serve sends with it", async () => {
      const runtime = await runtimeDir("unlocked");
      try {
        const env = runtime.bareEnv();
        const connect = () =>
          cli(
            [
              "connect",
              "telnyx",
              "--label",
              "Bare",
              "--no-verify",
              "--default-from",
              "+15550300001",
              "--api-base-url",
              sim.url,
            ],
            env,
            `${sim.accounts.telnyx.apiKey}\n`,
          );
        // The keyring registers on the bus a moment after it starts (until then: no Secret
        // Service, answered at once, since this bus activates nothing).
        let connected = connect();
        for (let i = 0; i < 40 && connected.code !== 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          connected = connect();
        }
        expect(connected.stderr).toBe("");
        expect(connected.code).toBe(0);
        const listed = JSON.parse(cli(["connections", "--json"], env).stdout);
        expect(listed.connections[0]).toMatchObject({ label: "Bare", secretInKeychain: true });

        const client = new Client({ name: "bare-host", version: "0" });
        await client.connect(
          new StdioClientTransport({
            command: process.execPath,
            args: [CLI_PATH, "serve", "--connection", "Bare"],
            env,
            stderr: "ignore",
          }),
        );
        try {
          const result = (await client.callTool({
            name: "send_sms",
            arguments: { to_: "+15551234567", message: "sent with a bare environment" },
          })) as CallToolResult;
          expect(result.content[0]).toMatchObject({ text: "SMS sent." });
        } finally {
          await client.close();
        }
      } finally {
        await runtime.stop();
      }
    });

    it("no session bus anywhere: says so, and how to fix it", async () => {
      const runtime = await runtimeDir("none");
      try {
        const run = cli(
          ["connect", "telnyx", "--label", "X", "--no-verify", "--default-from", "+15550300001"],
          {
            ...runtime.bareEnv(),
            XDG_RUNTIME_DIR: join(runtime.dir, "data"),
          },
          "KEYabc\n",
        );
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/no D-Bus session bus answers.*env mode/);
      } finally {
        await runtime.stop();
      }
    });

    it("a bus with no Secret Service on it: says to install and start one", async () => {
      const runtime = await runtimeDir("none");
      try {
        const run = cli(
          ["connect", "telnyx", "--label", "X", "--no-verify", "--default-from", "+15550300001"],
          runtime.bareEnv(),
          "KEYabc\n",
        );
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/no Secret Service answers on the session bus.*gnome-keyring/);
      } finally {
        await runtime.stop();
      }
    });

    it("a locked keyring: says so, and how to unlock it", async () => {
      const runtime = await runtimeDir("locked");
      try {
        const connect = () =>
          cli(
            ["connect", "telnyx", "--label", "X", "--no-verify", "--default-from", "+15550300001"],
            runtime.bareEnv(),
            "KEYabc\n",
          );
        // Until the restarted daemon is on the bus, the answer is "no Secret Service".
        let run = connect();
        for (let i = 0; i < 40 && /no Secret Service/.test(run.stderr); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          run = connect();
        }
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/login keyring is locked.*gnome-keyring-daemon --unlock/);
        expect(
          JSON.parse(cli(["connections", "--json"], runtime.bareEnv()).stdout).connections,
        ).toEqual([]);
      } finally {
        await runtime.stop();
      }
    });
  },
);

describe.skipIf(process.platform !== "linux")("the keychain's native library", () => {
  it("libsecret cannot load: names the package to install, and saves nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sms-mcp-nolib-"));
    try {
      // The dynamic loader finds this broken libsecret before the system's one.
      await writeFile(join(dir, "libsecret-1.so.0"), "not a shared library");
      const run = cli(
        ["connect", "telnyx", "--label", "X", "--no-verify", "--default-from", "+15550300001"],
        {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: dir,
          LD_LIBRARY_PATH: dir,
          SMS_MCP_CONFIG: join(dir, "config.json"),
        },
        "KEYabc\n",
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/native library could not load; install libsecret-1-0/);
      expect(existsSync(join(dir, "config.json"))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/configError.js";
import { loadConfig, saveConfig } from "../../src/config/configFile.js";
import { readEnvironment } from "../../src/config/environment.js";
import { envModeFrom } from "../../src/config/envMode.js";
import { configPath } from "../../src/config/paths.js";
import { resolveConnection } from "../../src/config/resolveConnection.js";
import type { ConfigFile } from "../../src/config/schema.js";
import type { SecretStore } from "../../src/config/secretStore.js";
import { VERSION } from "../../src/version.js";

const memoryStore = (): SecretStore => {
  const secrets = new Map<string, string>();
  return {
    get: async (id) => secrets.get(id) ?? null,
    set: async (id, s) => void secrets.set(id, s),
    delete: async (id) => secrets.delete(id),
  };
};

const twoConnections: ConfigFile = {
  version: 1,
  connections: [
    {
      id: "twilio-sales",
      label: "Twilio - Sales",
      provider: "twilio",
      accountSid: `AC${"1".repeat(32)}`,
      defaultFrom: "+15550100001",
    },
    {
      id: "telnyx-support",
      label: "Telnyx - Support",
      provider: "telnyx",
      defaultFrom: "+15550300001",
    },
  ],
};

describe("config file", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-config-"));
    file = join(dir, "nested", "config.json");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("a missing file is an empty config", async () => {
    expect(await loadConfig(file)).toEqual({ version: 1, connections: [] });
  });

  it("writes atomically with mode 0600 and reads back what it wrote", async () => {
    await saveConfig(file, twoConnections);
    expect(await loadConfig(file)).toEqual(twoConnections);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(join(dir, "nested"))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a corrupted file is a clear error naming the file, and is left as it was", async () => {
    await saveConfig(file, twoConnections);
    await writeFile(file, "{ not json");
    await expect(loadConfig(file)).rejects.toThrow(new RegExp(`${file}.*not valid JSON`));
    expect(await readFile(file, "utf8")).toBe("{ not json");
  });

  it("a file with a secret-shaped field is refused, not silently accepted", async () => {
    await writeFile(
      file.replace("nested/", ""),
      JSON.stringify({
        version: 1,
        connections: [{ ...twoConnections.connections[0], authToken: "x" }],
      }),
    );
    await expect(loadConfig(file.replace("nested/", ""))).rejects.toBeInstanceOf(ConfigError);
  });

  it("honours SMS_MCP_CONFIG, then XDG_CONFIG_HOME", () => {
    expect(configPath({ SMS_MCP_CONFIG: "/x/c.json" })).toBe("/x/c.json");
    if (process.platform === "linux") {
      expect(configPath({ XDG_CONFIG_HOME: "/xdg" })).toBe("/xdg/sms-mcp/config.json");
    }
  });
});

describe("which connection serve uses", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-resolve-"));
    file = join(dir, "config.json");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const resolve = (wanted: string | undefined, env: NodeJS.ProcessEnv = {}) =>
    resolveConnection({
      wanted,
      environment: readEnvironment({ ...env, SMS_MCP_CONFIG: file }),
      secrets: memoryStore(),
    });

  it("--connection by label (any case) or id", async () => {
    await saveConfig(file, twoConnections);
    expect((await resolve("telnyx - support")).id).toBe("telnyx-support");
    expect((await resolve("twilio-sales")).label).toBe("Twilio - Sales");
  });

  it("env mode wins when no --connection is given", async () => {
    await saveConfig(file, twoConnections);
    const c = await resolve(undefined, { SMS_MCP_PROVIDER: "telnyx", TELNYX_API_KEY: "k" });
    // One id per provider account: it keys the account's ledger and limits.
    expect(c.id).toMatch(/^env-telnyx-[0-9a-f]{12}$/);
  });

  it("the default, else the only one, else an error listing the choices", async () => {
    await saveConfig(file, { ...twoConnections, defaultConnection: "telnyx-support" });
    expect((await resolve(undefined)).id).toBe("telnyx-support");
    await saveConfig(file, {
      ...twoConnections,
      connections: twoConnections.connections.slice(0, 1),
    });
    expect((await resolve(undefined)).id).toBe("twilio-sales");
    await saveConfig(file, twoConnections);
    await expect(resolve(undefined)).rejects.toThrow(
      /"Twilio - Sales" \(twilio-sales\), "Telnyx - Support"/,
    );
    await expect(resolve("nope")).rejects.toThrow(/no connection named "nope"; choose one of/);
  });

  it("no connection at all says how to make one", async () => {
    await expect(resolve(undefined)).rejects.toThrow(/sms-mcp connect/);
  });
});

describe("env mode", () => {
  it("names the missing variables, never their values", () => {
    expect(() => envModeFrom({ SMS_MCP_PROVIDER: "twilio", TWILIO_AUTH_TOKEN: "tok-123" })).toThrow(
      /needs TWILIO_ACCOUNT_SID/,
    );
    let message = "";
    try {
      envModeFrom({ SMS_MCP_PROVIDER: "plivo", PLIVO_AUTH_TOKEN: "tok-456" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/needs PLIVO_AUTH_ID/);
    expect(message).not.toContain("tok-456");
  });

  it("refuses an unknown provider", () => {
    expect(() => envModeFrom({ SMS_MCP_PROVIDER: "nexmo" })).toThrow(/twilio, plivo or telnyx/);
  });

  it("uses API key credentials for Twilio when given", async () => {
    const c = envModeFrom({
      SMS_MCP_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: "AC1",
      TWILIO_API_KEY: "SK1",
      TWILIO_API_SECRET: "sec",
    });
    expect(c?.credentials).toEqual({
      provider: "twilio",
      accountSid: "AC1",
      apiKeySid: "SK1",
      secret: "sec",
    });
  });
});

describe("version", () => {
  it("matches package.json", async () => {
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    expect(VERSION).toBe(pkg.version);
  });
});

describe("the session bus for the keychain", () => {
  it("DBUS_SESSION_BUS_ADDRESS as given, else a bus socket in $XDG_RUNTIME_DIR, else none", async () => {
    const { createServer } = await import("node:net");
    const runtime = await mkdtemp(join(tmpdir(), "sms-mcp-bus-"));
    const socket = createServer();
    await new Promise<void>((resolve) => socket.listen(join(runtime, "bus"), resolve));
    try {
      expect(readEnvironment({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/x" }).sessionBusAddress).toBe(
        "unix:path=/x",
      );
      if (process.platform === "linux") {
        expect(readEnvironment({ XDG_RUNTIME_DIR: runtime }).sessionBusAddress).toBe(
          `unix:path=${join(runtime, "bus")}`,
        );
        // A plain file named bus is not a bus.
        const notSocket = await mkdtemp(join(tmpdir(), "sms-mcp-nobus-"));
        await writeFile(join(notSocket, "bus"), "");
        const fallback = `/run/user/${process.getuid?.()}/bus`;
        const { existsSync } = await import("node:fs");
        expect(readEnvironment({ XDG_RUNTIME_DIR: notSocket }).sessionBusAddress).toBe(
          existsSync(fallback) ? `unix:path=${fallback}` : undefined,
        );
        await rm(notSocket, { recursive: true, force: true });
      }
    } finally {
      socket.close();
      await rm(runtime, { recursive: true, force: true });
    }
  });
});

describe("env mode: a sender typed into a host's settings form", () => {
  it("reads +1 555 010 0001 and +1-555-010-0002 as E.164, and says so without the number", () => {
    const envMode = envModeFrom({
      SMS_MCP_PROVIDER: "Twilio ",
      TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
      TWILIO_AUTH_TOKEN: "t",
      SMS_MCP_DEFAULT_FROM: " +1 555 010 0001 ",
      SMS_MCP_SENDERS: "+1-555-010-0002, ABC Dental",
    });
    expect(envMode).toMatchObject({
      provider: "twilio",
      defaultFrom: "+15550100001",
      senders: ["+15550100002", "ABC Dental"],
    });
    expect(envMode?.notices).toHaveLength(2);
    expect(envMode?.notices.join(" ")).not.toMatch(/555/);
  });

  it("a number that is still not E.164 after that is refused, naming the setting", () => {
    expect(() =>
      envModeFrom({
        SMS_MCP_PROVIDER: "twilio",
        TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
        TWILIO_AUTH_TOKEN: "t",
        SMS_MCP_DEFAULT_FROM: "555 010 0001",
      }),
    ).toThrow(/SMS_MCP_DEFAULT_FROM/);
  });
});

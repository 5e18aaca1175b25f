// Sender kinds on the wire, per provider, against the simulator (DESIGN §12): a Twilio
// Messaging Service, a Plivo Powerpack, a Telnyx messaging profile, an alphanumeric sender ID;
// and the senders a call may name.
import { mkdtempSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIMULATOR_ACCOUNTS } from "../../src/simulator/accounts.js";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { runCli } from "../helpers/cli.js";
import { keychainStatus } from "../helpers/keychain.js";
import { providerEnv } from "../helpers/simulatorEnv.js";
import { type StdioServer, startStdioServer, texts } from "../helpers/stdioServer.js";

const US = "+15551234567";
const UK = "+447700900123";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim?.close());
beforeEach(() => sim.clear());

async function withServer(
  env: Record<string, string>,
  use: (server: StdioServer) => Promise<void>,
) {
  const server = await startStdioServer(env);
  try {
    await use(server);
  } finally {
    await server.close();
  }
}

const wireBody = () => sim.requests()[0]?.body as Record<string, unknown>;

describe("sender kinds on the wire", () => {
  it("Twilio Messaging Service: MessagingServiceSid, and no From", async () => {
    const service = sim.accounts.twilio.messagingServices[0] as string;
    await withServer(
      {
        ...providerEnv(sim, "twilio"),
        SMS_MCP_DEFAULT_FROM: service,
        SMS_MCP_ALLOWED_COUNTRIES: "US",
      },
      async (server) => {
        const result = await server.call({ to_: US, message: "Via the service" });
        expect(texts(result)[0]).toBe("SMS sent.");
        expect(result.structuredContent).toMatchObject({ status: "sent", from: service });
        expect(wireBody()).toMatchObject({ To: US, MessagingServiceSid: service });
        expect(wireBody()).not.toHaveProperty("From");
      },
    );
  });

  it("Plivo Powerpack: powerpack_uuid, and no src", async () => {
    const powerpack = sim.accounts.plivo.powerpacks[0] as string;
    await withServer(
      {
        ...providerEnv(sim, "plivo"),
        SMS_MCP_DEFAULT_FROM: powerpack,
        SMS_MCP_ALLOWED_COUNTRIES: "US",
      },
      async (server) => {
        const result = await server.call({ to_: US, message: "Via the powerpack" });
        expect(texts(result)[0]).toBe("SMS sent.");
        expect(result.structuredContent).toMatchObject({ from: powerpack });
        expect(wireBody()).toMatchObject({ dst: US, powerpack_uuid: powerpack });
        expect(wireBody()).not.toHaveProperty("src");
      },
    );
  });

  it("Telnyx messaging profile: messaging_profile_id beside the number", async () => {
    const profile = sim.accounts.telnyx.messagingProfiles[0] as string;
    await withServer(
      { ...providerEnv(sim, "telnyx"), SMS_MCP_MESSAGING_PROFILE_ID: profile },
      async (server) => {
        const result = await server.call({ to_: US, message: "Via the profile" });
        expect(texts(result)[0]).toBe("SMS sent.");
        expect(wireBody()).toMatchObject({
          from: sim.accounts.telnyx.numbers[0],
          messaging_profile_id: profile,
        });
      },
    );
  });

  it.each(["twilio", "plivo", "telnyx"] as const)(
    "%s alphanumeric sender ID: sent as the sender outside +1, refused for +1 before the provider",
    async (provider) => {
      const env: Record<string, string> = {
        ...providerEnv(sim, provider),
        SMS_MCP_DEFAULT_FROM: "ABC Dental",
        SMS_MCP_ALLOWED_COUNTRIES: "GB,US",
      };
      if (provider === "telnyx") {
        env.SMS_MCP_MESSAGING_PROFILE_ID = sim.accounts.telnyx.messagingProfiles[0] as string;
      }
      await withServer(env, async (server) => {
        const refused = await server.call({ to_: US, message: "Hello" });
        expect(texts(refused)).toEqual([
          "SMS couldn't be sent",
          expect.stringMatching(/alphanumeric sender ID/),
          expect.any(String),
        ]);
        expect(refused.structuredContent?.error).toMatchObject({ category: "invalid_sender" });
        expect(sim.requests()).toHaveLength(0);

        const sent = await server.call({ to_: UK, message: "Your table is ready" });
        expect(texts(sent)[0]).toBe("SMS sent.");
        expect(sent.structuredContent).toMatchObject({ from: "ABC Dental" });
        const field = { twilio: "From", plivo: "src", telnyx: "from" }[provider];
        expect(wireBody()[field]).toBe("ABC Dental");
      });
    },
  );

  it("Telnyx alphanumeric sender without a messaging profile: a configuration error, nothing sent", async () => {
    await withServer(
      {
        ...providerEnv(sim, "telnyx"),
        SMS_MCP_DEFAULT_FROM: "ABC Dental",
        SMS_MCP_ALLOWED_COUNTRIES: "GB",
      },
      async (server) => {
        const result = await server.call({ to_: UK, message: "Hello" });
        expect(result.structuredContent?.error).toMatchObject({ category: "configuration" });
        expect(texts(result)[1]).toMatch(/messaging profile/);
        expect(sim.requests()).toHaveLength(0);
      },
    );
  });
});

describe("a default sender that is not a number", () => {
  it("gives no country to allow: without allowedCountries every send is refused, and says why", async () => {
    await withServer(
      { ...providerEnv(sim, "twilio"), SMS_MCP_DEFAULT_FROM: "MG00000000000000000000000000000001" },
      async (server) => {
        const result = await server.call({ to_: US, message: "Hi" });
        expect(texts(result)[1]).toMatch(/not a phone number.*must set allowedCountries/);
        expect(sim.requests()).toHaveLength(0);
      },
    );
  });
});

describe("the senders a call may name", () => {
  it("with a sender list: from_ outside it is refused before the provider, inside it is used", async () => {
    const [first, second] = sim.accounts.twilio.numbers;
    await withServer(
      { ...providerEnv(sim, "twilio"), SMS_MCP_SENDERS: second as string },
      async (server) => {
        const refused = await server.call({ to_: US, message: "Hi", from_: "+15559990000" });
        expect(texts(refused)[1]).toMatch(/not one of this connection's senders/);
        expect(refused.structuredContent?.error).toMatchObject({ category: "invalid_sender" });
        expect(sim.requests()).toHaveLength(0);
        const listed = await server.call({ to_: US, message: "Hi", from_: second });
        expect(listed.structuredContent).toMatchObject({ status: "sent", from: second });
        const byDefault = await server.call({ to_: US, message: "Hi there", from_: first });
        expect(byDefault.structuredContent).toMatchObject({ status: "sent", from: first });
      },
    );
  });

  it("a from_ that is not a number must be one the connection names, list or not", async () => {
    await withServer(providerEnv(sim, "twilio"), async (server) => {
      for (const from_ of ["MG99999999999999999999999999999999", "Other Co"]) {
        const refused = await server.call({ to_: UK, message: "Hi", from_ });
        expect(refused.structuredContent?.error).toMatchObject({ category: "invalid_sender" });
      }
      expect(sim.requests()).toHaveLength(0);
    });
  });

  it("a configured sender of the wrong kind for the provider stops the start", async () => {
    const run = await runCli(["serve"], {
      ...providerEnv(sim, "telnyx"),
      SMS_MCP_DEFAULT_FROM: "MG00000000000000000000000000000001",
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/SMS_MCP_DEFAULT_FROM: .* is not a sender/);
  });
});

describe("check verifies the sender kind against the account", () => {
  const cases = [
    [
      "twilio",
      { SMS_MCP_DEFAULT_FROM: "MG00000000000000000000000000000001" },
      /is a Messaging Service on the account/,
    ],
    [
      "twilio",
      { SMS_MCP_DEFAULT_FROM: "MG00000000000000000000000000000999" },
      /is not a Messaging Service on this account; choose one of MG0+1 \(Messaging Service "Simulated service 1"\)/,
    ],
    [
      "plivo",
      { SMS_MCP_DEFAULT_FROM: "00000000-0000-4000-8000-00000000a001" },
      /is a Powerpack on the account/,
    ],
    [
      "plivo",
      { SMS_MCP_DEFAULT_FROM: "00000000-0000-4000-8000-00000000a999" },
      /is not a Powerpack on this account/,
    ],
    [
      "telnyx",
      { SMS_MCP_MESSAGING_PROFILE_ID: "00000000-0000-4000-8000-00000000b001" },
      /through messaging profile 00000000-0000-4000-8000-00000000b001/,
    ],
    [
      "telnyx",
      { SMS_MCP_MESSAGING_PROFILE_ID: "00000000-0000-4000-8000-00000000b999" },
      /is not a messaging profile on this account/,
    ],
    [
      "twilio",
      { SMS_MCP_DEFAULT_FROM: "ABC Dental" },
      /alphanumeric sender ID "ABC Dental" is set/,
    ],
  ] as const;
  it.each(cases)("%s %o", async (provider, settings, says) => {
    const run = await runCli(["check"], { ...providerEnv(sim, provider), ...settings });
    expect(run.stdout + run.stderr).toMatch(says);
    expect(run.code).toBe(/not a/.test(says.source) ? 1 : 0);
  });
  it("--json answers one JSON object, on success and on failure", async () => {
    const ok = await runCli(["check", "--json"], providerEnv(sim, "twilio"));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      provider: "twilio",
      defaultFrom: sim.accounts.twilio.numbers[0],
      senderKind: "number",
      messagingProfileId: null,
      notes: [],
    });
    const bad = await runCli(["check", "--json"], {
      ...providerEnv(sim, "twilio"),
      SMS_MCP_DEFAULT_FROM: "+15550109999",
    });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      ok: false,
      problem: expect.stringMatching(/\+15550109999 is not an SMS-capable number/),
    });
    // A connection that does not exist is a configuration problem: JSON all the same.
    const config = join(mkdtempSync(join(tmpdir(), "sms-mcp-check-")), "config.json");
    const missing = await runCli(["check", "nobody", "--json"], { SMS_MCP_CONFIG: config });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({
      ok: false,
      problem: expect.stringMatching(/no connection named "nobody"/),
    });
  });

  it("a Powerpack past the first page of Plivo's listing is found (the listing is followed)", async () => {
    const powerpacks = Array.from(
      { length: 25 },
      (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
    );
    const many = await startSimulator({
      accounts: { ...sim.accounts, plivo: { ...sim.accounts.plivo, powerpacks } },
    });
    try {
      const run = await runCli(["check"], {
        ...providerEnv(many, "plivo"),
        SMS_MCP_DEFAULT_FROM: powerpacks[24] as string,
      });
      expect(run.stdout + run.stderr).toMatch(/is a Powerpack on the account/);
      expect(run.code).toBe(0);
      const listings = many.requests().filter((r) => r.path.endsWith("/Powerpack/"));
      expect(listings.length).toBe(2);
    } finally {
      await many.close();
    }
  });
});

describe("check: a pool on the account that cannot send", () => {
  const EMPTY_SERVICE = "MG00000000000000000000000000000002";
  const EMPTY_POWERPACK = "00000000-0000-4000-8000-00000000a002";
  const DISABLED_PROFILE = "00000000-0000-4000-8000-00000000b002";
  let pools: Simulator;
  beforeAll(async () => {
    pools = await startSimulator({
      accounts: {
        twilio: { ...SIMULATOR_ACCOUNTS.twilio, emptyMessagingServices: [EMPTY_SERVICE] },
        plivo: { ...SIMULATOR_ACCOUNTS.plivo, emptyPowerpacks: [EMPTY_POWERPACK] },
        telnyx: { ...SIMULATOR_ACCOUNTS.telnyx, disabledMessagingProfiles: [DISABLED_PROFILE] },
      },
    });
  });
  afterAll(() => pools?.close());

  it.each([
    ["twilio", { SMS_MCP_DEFAULT_FROM: EMPTY_SERVICE }, /has nothing in its sender pool/],
    ["plivo", { SMS_MCP_DEFAULT_FROM: EMPTY_POWERPACK }, /has no number in its number pool/],
    ["telnyx", { SMS_MCP_MESSAGING_PROFILE_ID: DISABLED_PROFILE }, /is disabled: enable it/],
  ] as const)("%s %o: refused with what to do", async (provider, settings, says) => {
    const run = await runCli(["check"], { ...providerEnv(pools, provider), ...settings });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(says);
    expect(pools.requests().filter((r) => r.method === "POST")).toEqual([]);
  });

  it.each([
    ["twilio", { SMS_MCP_DEFAULT_FROM: SIMULATOR_ACCOUNTS.twilio.messagingServices[0] as string }],
    ["plivo", { SMS_MCP_DEFAULT_FROM: SIMULATOR_ACCOUNTS.plivo.powerpacks[0] as string }],
  ] as const)("%s: a pool with senders in it passes, and says so", async (provider, settings) => {
    const run = await runCli(["check"], { ...providerEnv(pools, provider), ...settings });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/on the account with (senders|numbers) in its pool/);
  });

  it("a provider that will not show a service's senders: the check passes and says it could not tell", async () => {
    // A stand-in in front of the simulator that answers 404 for a service's phone numbers.
    const front = createServer(async (req, res) => {
      if (req.url?.includes("/PhoneNumbers")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 20404, message: "Not found", status: 404 }));
        return;
      }
      const upstream = await fetch(`${pools.url}${req.url}`, {
        headers: { authorization: req.headers.authorization ?? "" },
      });
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    const { port } = front.address() as AddressInfo;
    try {
      const run = await runCli(["check"], {
        ...providerEnv(pools, "twilio"),
        SMS_MCP_API_BASE_URL: `http://127.0.0.1:${port}`,
        SMS_MCP_DEFAULT_FROM: sim.accounts.twilio.messagingServices[0] as string,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        /its senders could not be listed, so whether MG0+1 can send is not known/,
      );
      expect(run.stdout).not.toMatch(/message/);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });
});

const keychain = await keychainStatus();

/** `sms-mcp connect twilio` to the simulator's account, its auth token on stdin. */
const connectTwilio = (
  on: Simulator,
  label: string,
  env: Record<string, string>,
  flags: string[],
) =>
  runCli(
    [
      "connect",
      "twilio",
      "--label",
      label,
      "--account-sid",
      on.accounts.twilio.accountSid,
      ...flags,
      "--api-base-url",
      on.url,
    ],
    env,
    `${on.accounts.twilio.authToken}\n`,
  );

describe.skipIf(!keychain.available)(
  `connect with a sender kind${keychain.available ? "" : ` (skipped: ${keychain.reason})`}`,
  () => {
    it("connect --default-from MG… and --sender: saved, and serve sends through the service", async () => {
      const dir = await mkdtemp(join(tmpdir(), "sms-mcp-senders-"));
      const env = {
        SMS_MCP_CONFIG: join(dir, "config.json"),
        SMS_MCP_STATE_DIR: join(dir, "state"),
      };
      const label = `Service ${process.pid}`;
      const service = sim.accounts.twilio.messagingServices[0] as string;
      try {
        const connect = await connectTwilio(sim, label, env, [
          "--default-from",
          service,
          "--sender",
          "ABC Dental",
        ]);
        expect(connect.code, connect.stderr).toBe(0);
        const saved = JSON.parse(await readFile(env.SMS_MCP_CONFIG, "utf8")).connections[0];
        expect(saved).toMatchObject({ defaultFrom: service, senders: ["ABC Dental"] });
        const listed = await runCli(["connections"], env);
        expect(listed.stdout).toContain(`${service} (Messaging Service)`);
        expect(listed.stdout).toContain("also from ABC Dental");
        const listedJson = JSON.parse((await runCli(["connections", "--json"], env)).stdout);
        expect(listedJson.connections[0]).toMatchObject({
          defaultFrom: service,
          defaultFromKind: "messaging_service",
          senders: ["ABC Dental"],
          messagingProfileId: null,
        });
        sim.clear();
        const server = await startStdioServer({ ...env, SMS_MCP_ALLOWED_COUNTRIES: "US,GB" }, [
          "--connection",
          label,
        ]);
        try {
          const viaService = await server.call({ to_: US, message: "From the service" });
          expect(viaService.structuredContent).toMatchObject({ status: "sent", from: service });
          const named = await server.call({
            to_: UK,
            message: "From the name",
            from_: "ABC Dental",
          });
          expect(named.structuredContent).toMatchObject({ status: "sent", from: "ABC Dental" });
          expect(sim.requests().map((r) => (r.body as Record<string, string>).From ?? "")).toEqual([
            "",
            "ABC Dental",
          ]);
        } finally {
          await server.close();
        }
        const wrongKind = await runCli(
          ["connect", "telnyx", "--label", "T", "--no-verify", "--default-from", service],
          env,
          "KEYabc\n",
        );
        expect(wrongKind.code).toBe(2);
        expect(wrongKind.stderr).toMatch(/is not a sender/);
      } finally {
        await runCli(["disconnect", label], env);
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

describe.skipIf(!keychain.available)(
  `connect to a pool that cannot send yet${keychain.available ? "" : ` (skipped: ${keychain.reason})`}`,
  () => {
    it("connects, and warns that sends through it fail until it has a sender", async () => {
      const empty = "MG00000000000000000000000000000002";
      const pools = await startSimulator({
        accounts: {
          ...SIMULATOR_ACCOUNTS,
          twilio: { ...SIMULATOR_ACCOUNTS.twilio, emptyMessagingServices: [empty] },
        },
      });
      const dir = await mkdtemp(join(tmpdir(), "sms-mcp-empty-pool-"));
      const env = { SMS_MCP_CONFIG: join(dir, "config.json") };
      const label = `Empty service ${process.pid}`;
      try {
        const connect = await connectTwilio(pools, label, env, ["--default-from", empty]);
        expect(connect.code, connect.stderr).toBe(0);
        expect(connect.stdout).toContain(`sending from ${empty}`);
        expect(connect.stderr).toMatch(
          /^warning: MG0+2 \(Messaging Service "Simulated service 2"\) has nothing in its sender pool: .*; sends through it fail until then\n$/,
        );
      } finally {
        await runCli(["disconnect", label], env);
        await pools.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

// Several assistants, one server: two keychain connections served side by side over HTTP,
// each at its own endpoints, each opened only by its own tokens (per-connection bearer
// tokens and OAuth scopes), each with its own guardrail state; a revoke takes effect while
// the server runs.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { type AuthServer, startAuthServer } from "../helpers/authServer.js";
import { runCli } from "../helpers/cli.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { keychainStatus } from "../helpers/keychain.js";
import { postInitialize } from "../helpers/mcpHttp.js";
import { freePort } from "../helpers/ports.js";

const keychain = await keychainStatus();
const TO = "+15551234567";

async function send(
  transport: StreamableHTTPClientTransport | SSEClientTransport,
  message: string,
) {
  const client = new Client({ name: "assistant", version: "0" });
  await client.connect(transport);
  try {
    const result = (await client.callTool({
      name: "send_sms",
      arguments: { to_: TO, message },
    })) as CallToolResult;
    return result;
  } finally {
    await client.close();
  }
}

const withToken = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe.skipIf(!keychain.available)(
  `several connections on one HTTP server${keychain.available ? "" : ` (skipped: ${keychain.reason})`}`,
  () => {
    let sim: Simulator;
    let issuer: AuthServer;
    let dir: string;
    let env: Record<string, string>;
    let server: HttpCli;
    let url: string;
    const ids = { sales: "", support: "" };
    const tokens = { sales: "", support: "" };
    const suffix = `${process.pid}`;
    const labels = { sales: `Twilio - Sales ${suffix}`, support: `Telnyx - Support ${suffix}` };
    const cli = (args: string[], input = "") => runCli(args, env, input);

    beforeAll(async () => {
      sim = await startSimulator();
      dir = await mkdtemp(join(tmpdir(), "sms-mcp-several-"));
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      env = { SMS_MCP_CONFIG: join(dir, "config.json"), SMS_MCP_STATE_DIR: join(dir, "state") };
      const sales = await cli(
        [
          "connect",
          "twilio",
          "--label",
          labels.sales,
          "--account-sid",
          sim.accounts.twilio.accountSid,
          "--default-from",
          sim.accounts.twilio.numbers[0] as string,
          "--api-base-url",
          sim.url,
        ],
        `${sim.accounts.twilio.authToken}\n`,
      );
      expect(sales.code, sales.stderr).toBe(0);
      const support = await cli(
        [
          "connect",
          "telnyx",
          "--label",
          labels.support,
          "--default-from",
          sim.accounts.telnyx.numbers[0] as string,
          "--api-base-url",
          sim.url,
        ],
        `${sim.accounts.telnyx.apiKey}\n`,
      );
      expect(support.code, support.stderr).toBe(0);
      const listed = JSON.parse((await cli(["connections", "--json"])).stdout)
        .connections as Array<{
        id: string;
        label: string;
      }>;
      ids.sales = listed.find((c) => c.label === labels.sales)?.id ?? "";
      ids.support = listed.find((c) => c.label === labels.support)?.id ?? "";
      for (const which of ["sales", "support"] as const) {
        const added = await cli(["token", "add", labels[which]]);
        expect(added.code, added.stderr).toBe(0);
        tokens[which] = added.stdout.trim();
      }
      issuer = await startAuthServer([`sms:send:${ids.support}`]);
      server = await startHttpCli(
        { ...env, SMS_MCP_OAUTH_ISSUER: issuer.issuer, SMS_MCP_PUBLIC_URL: url },
        ["--port", String(port), "--connection", labels.sales, "--connection", labels.support],
      );
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await issuer?.close();
      for (const label of Object.values(labels)) await cli(["disconnect", label]);
      await sim?.close();
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(() => sim.clear());

    it("the start-up log names what protects the endpoints: the connection tokens and the OAuth issuer", () => {
      const line = server
        .stderr()
        .split("\n")
        .find((l) => l.includes("sms-mcp listening"));
      expect(JSON.parse(line ?? "{}").auth).toEqual([
        "per-connection tokens (sms-mcp token add)",
        `OAuth access tokens from ${issuer.issuer}`,
      ]);
    });

    it("each connection at its own endpoints, opened by its own token, over Streamable HTTP and SSE", async () => {
      const sales = await send(
        new StreamableHTTPClientTransport(new URL(`${url}/connections/${ids.sales}/mcp`), {
          requestInit: withToken(tokens.sales),
        }),
        "From sales",
      );
      expect(sales.structuredContent).toMatchObject({ status: "sent", provider: "twilio" });
      const headers = withToken(tokens.support).headers;
      const support = await send(
        new SSEClientTransport(new URL(`${url}/connections/${ids.support}/sse`), {
          requestInit: { headers },
          eventSourceInit: {
            fetch: (u, init) =>
              fetch(u, { ...init, headers: { ...(init?.headers as object), ...headers } }),
          },
        }),
        "From support",
      );
      expect(support.structuredContent).toMatchObject({ status: "sent", provider: "telnyx" });
      expect(sim.requests().map((r) => r.provider)).toEqual(["twilio", "telnyx"]);
      // /mcp stays the default (the first --connection).
      expect((await postInitialize(`${url}/mcp`, tokens.sales)).status).toBe(200);
    });

    it("a connection's token does not open another connection, and nothing is sent", async () => {
      const response = await postInitialize(`${url}/connections/${ids.support}/mcp`, tokens.sales);
      expect(response.status).toBe(403);
      expect(response.headers.get("www-authenticate")).toMatch(/error="insufficient_scope"/);
      expect(
        (await postInitialize(`${url}/connections/${ids.sales}/mcp`, tokens.support)).status,
      ).toBe(403);
      expect(
        (await postInitialize(`${url}/connections/${ids.sales}/mcp`, "smsmcp_made-up")).status,
      ).toBe(401);
      expect(sim.requests()).toHaveLength(0);
    });

    it("each connection keeps its own guardrail state: the same text through both is two texts", async () => {
      const viaSales = await send(
        new StreamableHTTPClientTransport(new URL(`${url}/connections/${ids.sales}/mcp`), {
          requestInit: withToken(tokens.sales),
        }),
        "The same words",
      );
      const viaSupport = await send(
        new StreamableHTTPClientTransport(new URL(`${url}/connections/${ids.support}/mcp`), {
          requestInit: withToken(tokens.support),
        }),
        "The same words",
      );
      expect([viaSales.structuredContent?.status, viaSupport.structuredContent?.status]).toEqual([
        "sent",
        "sent",
      ]);
    });

    it("an OAuth token scoped to one connection opens only that one", async () => {
      const resource = `${url}/mcp`;
      const scoped = await issuer.token({ resource, scope: `sms:send:${ids.support}` });
      expect((await postInitialize(`${url}/connections/${ids.support}/mcp`, scoped)).status).toBe(
        200,
      );
      const refused = await postInitialize(`${url}/connections/${ids.sales}/mcp`, scoped);
      expect(refused.status).toBe(403);
      expect(refused.headers.get("www-authenticate")).toMatch(/error="insufficient_scope"/);
      const everywhere = await issuer.token({ resource, scope: "sms:send" });
      expect((await postInitialize(`${url}/connections/${ids.sales}/mcp`, everywhere)).status).toBe(
        200,
      );
    });

    it("--all-connections serves every configured connection, the default at /mcp", async () => {
      const all = await startHttpCli(env, ["--all-connections"]);
      try {
        for (const which of ["sales", "support"] as const) {
          const response = await postInitialize(
            `${all.url}/connections/${ids[which]}/mcp`,
            tokens[which],
          );
          expect(response.status, which).toBe(200);
        }
        // The first connected is the config's default.
        expect((await postInitialize(`${all.url}/mcp`, tokens.sales)).status).toBe(200);
        expect((await postInitialize(`${all.url}/mcp`, tokens.support)).status).toBe(403);
      } finally {
        await all.stop();
      }
    });

    it("tokens are stored as SHA-256 only, listed without themselves, and a revoke applies to the running server within a second", async () => {
      const config = await readFile(env.SMS_MCP_CONFIG as string, "utf8");
      expect(config).not.toContain(tokens.sales);
      expect(config).not.toContain(tokens.support);
      const listed = JSON.parse((await cli(["token", "list", labels.sales, "--json"])).stdout);
      expect(listed).toEqual([
        { id: expect.stringMatching(/^[0-9a-f]{8}$/), created: expect.any(String) },
      ]);
      expect(JSON.stringify(listed)).not.toContain(tokens.sales);

      expect(
        (await postInitialize(`${url}/connections/${ids.sales}/mcp`, tokens.sales)).status,
      ).toBe(200);
      const revoked = await cli(["token", "revoke", labels.sales, listed[0].id]);
      expect(revoked.code, revoked.stderr).toBe(0);
      const started = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - started < 1500) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await postInitialize(`${url}/connections/${ids.sales}/mcp`, tokens.sales)).status;
      }
      expect(status).toBe(401);
      // The other connection's token is untouched.
      expect(
        (await postInitialize(`${url}/connections/${ids.support}/mcp`, tokens.support)).status,
      ).toBe(200);
      expect(sim.requests()).toHaveLength(0);
      for (const output of [server.stderr()]) {
        expect(output).not.toContain(tokens.sales);
        expect(output).not.toContain(tokens.support);
      }
    });
  },
);

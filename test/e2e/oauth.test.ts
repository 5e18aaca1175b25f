// The HTTP server as an OAuth 2.1 resource server, against a real authorization server
// (oidc-provider on loopback): a client discovers everything from the 401, gets a token for
// the resource, and sends; every bad token is refused with the status and header the MCP
// authorization spec gives, and the provider sees nothing.

import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHttpTransport,
} from "@modelcontextprotocol/client";
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/simulator.js";
import { type AuthServer, startAuthServer } from "../helpers/authServer.js";
import { runCli } from "../helpers/cli.js";
import { type HttpCli, startHttpCli } from "../helpers/httpServer.js";
import { postInitialize } from "../helpers/mcpHttp.js";
import { freePort } from "../helpers/ports.js";
import { providerEnv } from "../helpers/simulatorEnv.js";

const STATIC_TOKEN = "static-token-for-the-oauth-tests-0123456789";

/** Starts `serve --transport http` as the resource server of `issuer`, at a known public URL. */
async function startResourceServer(sim: Simulator, issuer: string) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const server = await startHttpCli(
    {
      ...providerEnv(sim, "twilio"),
      SMS_MCP_OAUTH_ISSUER: issuer,
      SMS_MCP_PUBLIC_URL: publicUrl,
      SMS_MCP_AUTH_TOKEN: STATIC_TOKEN,
    },
    ["--port", String(port)],
  );
  return { server, publicUrl, resource: `${publicUrl}/mcp` };
}

async function sendWith(transport: StreamableHTTPClientTransport | SSEClientTransport) {
  const client = new Client({ name: "hosted-agent", version: "0" });
  await client.connect(transport);
  try {
    const result = (await client.callTool({
      name: "send_sms",
      arguments: { to_: "+15551234567", message: `Booked, via ${transport.constructor.name}` },
    })) as CallToolResult;
    return result.content[0]?.type === "text" ? result.content[0].text : "";
  } finally {
    await client.close();
  }
}

let sim: Simulator;
let issuer: AuthServer;
let running: { server: HttpCli; publicUrl: string; resource: string };

beforeAll(async () => {
  sim = await startSimulator();
  issuer = await startAuthServer();
  running = await startResourceServer(sim, issuer.issuer);
});
afterAll(async () => {
  await running?.server.stop();
  await issuer?.close();
  await sim?.close();
});
beforeEach(() => sim.clear());

describe("OAuth: a hosted client's whole flow", () => {
  it("discovers the metadata from the 401, gets a token for the resource, and sends over Streamable HTTP and SSE", async () => {
    const { publicUrl } = running;
    const unauthenticated = await postInitialize(`${publicUrl}/mcp`);
    expect(unauthenticated.status).toBe(401);
    const challenge = unauthenticated.headers.get("www-authenticate") ?? "";
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${publicUrl}/.well-known/oauth-protected-resource/mcp`);

    const metadata = (await (await fetch(metadataUrl as string)).json()) as {
      resource: string;
      authorization_servers: string[];
    };
    expect(metadata).toEqual({
      resource: `${publicUrl}/mcp`,
      authorization_servers: [issuer.issuer],
      scopes_supported: ["sms:send"],
      bearer_methods_supported: ["header"],
    });
    expect(await (await fetch(`${publicUrl}/.well-known/oauth-protected-resource`)).json()).toEqual(
      metadata,
    );

    const server = await discoverAuthorizationServerMetadata(
      metadata.authorization_servers[0] ?? "",
    );
    expect(server?.token_endpoint).toBe(`${issuer.issuer}/token`);
    const token = await issuer.token({ resource: metadata.resource, scope: "sms:send" });

    const headers = { Authorization: `Bearer ${token}` };
    expect((await postInitialize(`${publicUrl}/mcp`, token)).status).toBe(200);
    // The issuer's metadata and keys are fetched once, then cached.
    const fetchesAfterFirstToken = issuer.keyFetches();
    expect(fetchesAfterFirstToken).toBeGreaterThan(0);
    expect(
      await sendWith(
        new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
          requestInit: { headers },
        }),
      ),
    ).toBe("SMS sent.");
    expect(
      await sendWith(
        new SSEClientTransport(new URL(`${publicUrl}/sse`), {
          requestInit: { headers },
          eventSourceInit: {
            fetch: (url, init) =>
              fetch(url, { ...init, headers: { ...(init?.headers as object), ...headers } }),
          },
        }),
      ),
    ).toBe("SMS sent.");
    expect(sim.requests()).toHaveLength(2);
    expect(issuer.keyFetches()).toBe(fetchesAfterFirstToken);
    // A token is never passed on to a provider.
    expect(JSON.stringify(sim.requests())).not.toContain(token);
    expect(running.server.stderr()).not.toContain(token);
  });

  it("a 2026-07-28 client is authorized on each request: without a token its probe is refused 401 (no fallback), with one it sends", async () => {
    const { publicUrl, resource } = running;
    const connect = async (headers: Record<string, string>) => {
      const client = new ModernClient(
        { name: "stateless-agent", version: "0" },
        { versionNegotiation: { mode: "auto" } },
      );
      await client.connect(
        new ModernHttpTransport(new URL(`${publicUrl}/mcp`), { requestInit: { headers } }),
      );
      return client;
    };
    await expect(connect({})).rejects.toThrow(/401/);

    const token = await issuer.token({ resource, scope: "sms:send" });
    const client = await connect({ Authorization: `Bearer ${token}` });
    try {
      expect(client.getProtocolEra()).toBe("modern");
      const result = await client.callTool({
        name: "send_sms",
        arguments: { to_: "+15551234567", message: "Booked, statelessly" },
      });
      expect(result.content[0]).toMatchObject({ text: "SMS sent." });
    } finally {
      await client.close();
    }
    const refused = await fetch(`${publicUrl}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/list",
        authorization: "Bearer not-a-token",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/list",
        params: {
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(sim.requests()).toHaveLength(1);
  });

  it("the start-up log names what protects the endpoints: the static token and the OAuth issuer", () => {
    const line = running.server
      .stderr()
      .split("\n")
      .find((l) => l.includes("sms-mcp listening"));
    expect(JSON.parse(line ?? "{}").auth).toEqual([
      "SMS_MCP_AUTH_TOKEN (every connection)",
      `OAuth access tokens from ${issuer.issuer}`,
    ]);
  });

  it("the static SMS_MCP_AUTH_TOKEN keeps working beside OAuth", async () => {
    expect((await postInitialize(`${running.publicUrl}/mcp`, STATIC_TOKEN)).status).toBe(200);
  });
});

describe("OAuth: tokens that must not open the door", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string>, 401 | 403, RegExp]> = [
    [
      "a token for another audience",
      () => issuer.token({ resource: "https://other.example/mcp", scope: "sms:send" }),
      401,
      /error="invalid_token"/,
    ],
    [
      "an expired token",
      () =>
        issuer.forge({
          aud: running.resource,
          scope: "sms:send",
          iat: now() - 7200,
          exp: now() - 3600,
        }),
      401,
      /error="invalid_token"/,
    ],
    [
      "a token signed by an unknown key",
      async () => {
        const { privateKey } = await generateKeyPair("ES256", { extractable: true });
        expect(await exportJWK(privateKey)).toBeTruthy();
        return new SignJWT({ iss: issuer.issuer, aud: running.resource, scope: "sms:send" })
          .setProtectedHeader({ alg: "ES256", kid: "not-the-issuers" })
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey);
      },
      401,
      /error="invalid_token"/,
    ],
    [
      "a token from another issuer",
      () => issuer.forge({ iss: "https://evil.example", aud: running.resource, scope: "sms:send" }),
      401,
      /error="invalid_token"/,
    ],
    [
      "an unsigned token (alg none)",
      async () => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
        return `${part({ alg: "none" })}.${part({ iss: issuer.issuer, aud: running.resource, scope: "sms:send", exp: now() + 300 })}.`;
      },
      401,
      /error="invalid_token"/,
    ],
    [
      "a token without the sms:send scope",
      () => issuer.token({ resource: running.resource, scope: "calendar:read" }),
      403,
      /error="insufficient_scope".*scope="sms:send"/,
    ],
  ];

  it.each(cases)(
    "%s: refused with its status and header, nothing sent",
    async (_name, tokenFor, status, header) => {
      const token = await tokenFor();
      for (const path of ["/mcp", "/sse"]) {
        const response =
          path === "/mcp"
            ? await postInitialize(`${running.publicUrl}${path}`, token)
            : await fetch(`${running.publicUrl}${path}`, {
                headers: { authorization: `Bearer ${token}` },
              });
        expect(response.status, path).toBe(status);
        const challenge = response.headers.get("www-authenticate") ?? "";
        expect(challenge).toMatch(header);
        expect(challenge).toContain(
          `resource_metadata="${running.publicUrl}/.well-known/oauth-protected-resource/mcp"`,
        );
        expect(challenge).not.toContain(token);
      }
      expect(sim.requests()).toHaveLength(0);
    },
  );
});

describe("OAuth: an authorization server that cannot be reached", () => {
  it("answers 503 for that request, never lets it through", async () => {
    const closedPort = await freePort();
    const unreachable = await startResourceServer(sim, `http://127.0.0.1:${closedPort}`);
    try {
      const token = await issuer.token({ resource: unreachable.resource, scope: "sms:send" });
      const response = await postInitialize(`${unreachable.publicUrl}/mcp`, token);
      expect(response.status).toBe(503);
      expect(sim.requests()).toHaveLength(0);
      // The static token does not depend on the issuer.
      expect((await postInitialize(`${unreachable.publicUrl}/mcp`, STATIC_TOKEN)).status).toBe(200);
    } finally {
      await unreachable.server.stop();
    }
  });
});

describe("OAuth settings refused at start-up", () => {
  it.each([
    [{ SMS_MCP_OAUTH_ISSUER: "https://auth.example" }, /needs SMS_MCP_PUBLIC_URL/],
    [
      { SMS_MCP_OAUTH_ISSUER: "http://auth.example", SMS_MCP_PUBLIC_URL: "https://sms.example" },
      /SMS_MCP_OAUTH_ISSUER must be an https:\/\/ URL/,
    ],
    [
      {
        SMS_MCP_OAUTH_ISSUER: "https://auth.example",
        SMS_MCP_PUBLIC_URL: "https://sms.example/base",
      },
      /SMS_MCP_PUBLIC_URL must be an origin with no path/,
    ],
  ])("%o", async (settings, reason) => {
    const run = await runCli(["serve", "--transport", "http", "--port", "0"], {
      ...providerEnv(sim, "telnyx"),
      ...settings,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(reason);
  });
});

// The resource server's key handling against a small issuer written here, whose keys can
// rotate: a token signed by a key published after the first fetch is accepted once the keys
// are fetched again (an unknown kid triggers it); the keys are not fetched for every token; a
// slow issuer is a bounded 503, never an accept.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { OAuthResourceServer } from "../../src/server/http/oauth.js";

const PUBLIC_URL = "http://127.0.0.1:9";
const RESOURCE = `${PUBLIC_URL}/mcp`;

interface Issuer {
  url: string;
  /** Publishes one more signing key; returns a function that signs with it. */
  addKey(kid: string): Promise<(claims?: Record<string, unknown>) => Promise<string>>;
  fetches(): number;
  close(): Promise<void>;
}

async function startIssuer(options: { stallKeys?: boolean } = {}): Promise<Issuer> {
  const keys: JWK[] = [];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === "/.well-known/oauth-authorization-server") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          issuer: url,
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          response_types_supported: ["code"],
          jwks_uri: `${url}/jwks`,
        }),
      );
    } else if (req.url === "/jwks") {
      fetches++;
      if (options.stallKeys) return; // never answers
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async addKey(kid) {
      const { publicKey, privateKey } = await generateKeyPair("ES256");
      keys.push({ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" });
      return (claims = {}) =>
        new SignJWT({ scope: "sms:send", ...claims })
          .setProtectedHeader({ alg: "ES256", kid })
          .setIssuer(url)
          .setAudience(RESOURCE)
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey);
    },
    fetches: () => fetches,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let issuer: Issuer | undefined;
afterEach(async () => {
  await issuer?.close();
  issuer = undefined;
});

describe("OAuthResourceServer and the issuer's keys", () => {
  it("fetches the keys once for many tokens, and again for a key that was rotated in", async () => {
    issuer = await startIssuer();
    const signOld = await issuer.addKey("old");
    const resourceServer = new OAuthResourceServer({
      issuer: issuer.url,
      publicUrl: PUBLIC_URL,
      keyRefetchCooldownMs: 0,
    });
    for (let i = 0; i < 5; i++) {
      expect(await resourceServer.check(await signOld())).toMatchObject({ ok: true });
    }
    expect(issuer.fetches()).toBe(1);

    const signNew = await issuer.addKey("new");
    expect(await resourceServer.check(await signNew())).toMatchObject({ ok: true });
    expect(issuer.fetches()).toBe(2);
  });

  it("a kid the issuer does not publish is refused as invalid, not as unavailable", async () => {
    issuer = await startIssuer();
    await issuer.addKey("published");
    const stranger = await startIssuer();
    try {
      const signElsewhere = await stranger.addKey("unpublished");
      const resourceServer = new OAuthResourceServer({ issuer: issuer.url, publicUrl: PUBLIC_URL });
      const token = await signElsewhere({ iss: issuer.url });
      expect(await resourceServer.check(token)).toMatchObject({
        ok: false,
        status: 401,
        error: "invalid_token",
      });
    } finally {
      await stranger.close();
    }
  });

  it.each([
    ["scope as a string", { scope: "openid sms:send" }, true],
    ["scope as a list", { scope: ["openid", "sms:send"] }, true],
    ["scp as a list", { scope: undefined, scp: ["sms:send"] }, true],
    ["scp as a string", { scope: undefined, scp: "sms:send" }, true],
    ["a list without the scope", { scope: ["openid", "sms:read"] }, false],
  ])("reads the scope claim written as %s", async (_name, claims, ok) => {
    issuer = await startIssuer();
    const sign = await issuer.addKey("k");
    const resourceServer = new OAuthResourceServer({ issuer: issuer.url, publicUrl: PUBLIC_URL });
    expect(await resourceServer.check(await sign(claims))).toMatchObject(
      ok ? { ok: true } : { ok: false, status: 403, error: "insufficient_scope" },
    );
  });

  it("an issuer whose keys never come: 503 within the fetch timeout", async () => {
    issuer = await startIssuer({ stallKeys: true });
    const sign = await issuer.addKey("k");
    const resourceServer = new OAuthResourceServer({
      issuer: issuer.url,
      publicUrl: PUBLIC_URL,
      fetchTimeoutMs: 300,
    });
    expect(await resourceServer.check(await sign())).toMatchObject({ ok: false, status: 503 });
  });
});

// A real OAuth 2.1 / OpenID Connect authorization server for the tests: oidc-provider on a
// free loopback port, issuing JWT access tokens (RFC 9068) for any resource indicator
// (RFC 8707) to a pre-registered client through the client-credentials grant.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import Provider from "oidc-provider";

export interface AuthServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A token from the token endpoint, as a client gets one. */
  token(options: { resource: string; scope: string }): Promise<string>;
  /** A token signed with the issuer's own key but with claims the issuer would not issue. */
  forge(claims: Record<string, unknown>): Promise<string>;
  /** Requests the issuer received for its metadata and keys. */
  keyFetches(): number;
  close(): Promise<void>;
}

/** @param extraScopes scopes the issuer also grants, besides sms:send and calendar:read */
export async function startAuthServer(extraScopes: string[] = []): Promise<AuthServer> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingKey: JWK = {
    ...(await exportJWK(privateKey)),
    kid: "issuer-key-1",
    alg: "ES256",
    use: "sig",
  };
  const clientId = "sms-agent";
  const clientSecret = "client-secret-for-tests-0123456789abcdef";

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        id_token_signed_response_alg: "ES256",
      },
    ],
    scopes: ["sms:send", "calendar:read", ...extraScopes],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => ({
          scope: ["sms:send", "calendar:read", ...extraScopes].join(" "),
          audience: resourceIndicator,
          accessTokenFormat: "jwt",
          accessTokenTTL: 300,
          jwt: { sign: { alg: "ES256" } },
        }),
      },
    },
  });
  let fetches = 0;
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (req.url?.includes("jwks") || req.url?.includes(".well-known")) fetches++;
    callback(req, res);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    async token({ resource, scope }) {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    forge(claims) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: "ES256", kid: signingKey.kid, typ: "at+jwt" })
        .sign(privateKey);
    },
    keyFetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

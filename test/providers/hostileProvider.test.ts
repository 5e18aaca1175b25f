// Small hostile fake providers written here: loopback HTTP servers that misbehave in ways a
// real provider (or a proxy in front of it) can. The adapters must bound and contain them.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/createProvider.js";
import { SmsError } from "../../src/sms/errors.js";
import type { ProviderCredentials } from "../../src/sms/ports/provider.js";
import { PROVIDER_NAMES, type ProviderName } from "../../src/sms/providerNames.js";

const CREDENTIALS: Record<ProviderName, ProviderCredentials> = {
  twilio: {
    provider: "twilio",
    accountSid: `AC${"1".repeat(32)}`,
    secret: "hostile-secret-twilio",
  },
  plivo: { provider: "plivo", authId: "MAHOSTILE00000000001", authToken: "hostile-secret-plivo" },
  telnyx: { provider: "telnyx", apiKey: "KEYhostile-secret-telnyx" },
};

let servers: Server[] = [];
const open: ServerResponse[] = [];
afterEach(async () => {
  for (const res of open.splice(0)) res.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
});

async function fakeProvider(handle: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handle(res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers 200 and a JSON content type at once, then one byte of body every 100 ms, forever. */
function drip(res: ServerResponse): void {
  open.push(res);
  res.writeHead(200, { "Content-Type": "application/json" });
  const timer = setInterval(() => res.write(" "), 100);
  res.on("close", () => clearInterval(timer));
}

describe.each(PROVIDER_NAMES)("%s against a provider that drips its body", (provider) => {
  it("the timeout is a deadline: the send ends as unknown, never hangs", async () => {
    const adapter = await createProvider({
      credentials: CREDENTIALS[provider],
      apiBaseUrl: await fakeProvider(drip),
      timeoutMs: 800,
    });
    const failure = await adapter
      .send({
        to: "+14155550123",
        from: "+14155550100",
        sender: { kind: "number", value: "+14155550100" },
        body: "hi",
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SmsError);
    expect(failure).toMatchObject({
      category: "provider_unavailable",
      retryable: false,
      certainlyNotSent: false,
    });
    expect((failure as SmsError).reason).toMatch(/unknown whether the message was sent/);
  });

  it("listing numbers is bounded too, and says nothing about a message", async () => {
    const adapter = await createProvider({
      credentials: CREDENTIALS[provider],
      apiBaseUrl: await fakeProvider(drip),
      timeoutMs: 800,
    });
    const failure = await adapter.listSenders().catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: "provider_unavailable" });
    expect((failure as SmsError).reason).not.toMatch(/message/);
  });
});

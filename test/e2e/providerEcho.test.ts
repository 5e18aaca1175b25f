// A provider (or a proxy in front of it) that echoes the request's Authorization header and
// credentials back in every field of its answers. None of it may reach the tool result, a
// log line at any level, or the audit log.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_NAMES, type ProviderName } from "../../src/sms/providerNames.js";
import { runCli } from "../helpers/cli.js";
import { startStdioServer } from "../helpers/stdioServer.js";

const SECRET = `planted-secret-${Date.now()}-e7c0`;
const ENV: Record<ProviderName, Record<string, string>> = {
  twilio: {
    SMS_MCP_PROVIDER: "twilio",
    TWILIO_ACCOUNT_SID: `AC${"7".repeat(32)}`,
    TWILIO_AUTH_TOKEN: SECRET,
  },
  plivo: {
    SMS_MCP_PROVIDER: "plivo",
    PLIVO_AUTH_ID: "MAECHO00000000000001",
    PLIVO_AUTH_TOKEN: SECRET,
  },
  telnyx: { SMS_MCP_PROVIDER: "telnyx", TELNYX_API_KEY: `KEY${SECRET}` },
};

/** Every answer carries what the request carried: its Authorization header and its body. */
function echoingProvider(failing: boolean): Server {
  return createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const echo = `${req.headers.authorization ?? ""} ${body} ${SECRET}`;
      const path = req.url ?? "";
      const answer = path.startsWith("/2010-04-01")
        ? failing
          ? { code: echo, message: echo, more_info: echo, status: 400 }
          : { sid: echo, status: echo, num_segments: echo, body: echo, error_message: echo }
        : path.startsWith("/v1/")
          ? failing
            ? { api_id: echo, error: echo }
            : { api_id: echo, message: echo, message_uuid: [echo] }
          : failing
            ? { errors: [{ code: echo, title: echo, detail: echo, source: { pointer: echo } }] }
            : {
                data: {
                  id: echo,
                  to: [{ phone_number: echo, status: echo }],
                  parts: echo,
                  encoding: echo,
                },
              };
      const status = failing
        ? 400
        : path.startsWith("/2010-04-01")
          ? 201
          : path.startsWith("/v1/")
            ? 202
            : 200;
      res.writeHead(status, { "Content-Type": "application/json", "X-Echo": echo.slice(0, 200) });
      res.end(JSON.stringify(answer));
    });
  });
}

describe.each(PROVIDER_NAMES)("%s provider echoing credentials", (provider) => {
  const servers: Server[] = [];
  const urls: string[] = [];
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-mcp-echo-"));
    for (const failing of [false, true]) {
      const server = echoingProvider(failing);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["a 2xx", 0],
    ["an error answer", 1],
  ])(
    "in %s: nothing of it in the result, the logs (trace) or the audit log",
    async (_name, which) => {
      const audit = join(dir, `audit-${which}.log`);
      const server = await startStdioServer({
        ...ENV[provider],
        SMS_MCP_DEFAULT_FROM: "+14155550100",
        SMS_MCP_API_BASE_URL: urls[which] as string,
        SMS_MCP_AUDIT_LOG: audit,
        SMS_MCP_LOG_LEVEL: "trace",
      });
      let result: unknown;
      try {
        result = await server.call({ to_: "+14155550123", message: "Your code is 4821" });
      } finally {
        await server.close();
      }
      const basic = (user: string) => Buffer.from(`${user}:${SECRET}`).toString("base64");
      const everything = [JSON.stringify(result), server.stderr(), await readFile(audit, "utf8")];
      for (const text of everything) {
        expect(text).not.toContain(SECRET);
        for (const user of Object.values(ENV[provider])) expect(text).not.toContain(basic(user));
      }
      if (which === 0) {
        // Taken (a 2xx): sent, with the id replaced by a neutral value, and the replacement logged.
        expect(result).toMatchObject({
          structuredContent: {
            status: "sent",
            messageId: "unrecognized",
            // Plivo's answer carries no status: "queued" is the adapter's own word.
            providerStatus: provider === "plivo" ? "queued" : "unknown",
          },
        });
        expect(server.stderr()).toContain("outside its documented format");
      } else {
        expect(result).toMatchObject({ isError: true, structuredContent: { status: "failed" } });
        expect(
          (result as { structuredContent: { error: { providerCode?: string } } }).structuredContent
            .error.providerCode,
        ).toBeUndefined();
      }
    },
  );

  it("sms-mcp status: the echoed status, id and code stay out of its output", async () => {
    const id =
      provider === "twilio" ? `SM${"ab".repeat(16)}` : "0f0e0d0c-0b0a-4908-8706-050403020100";
    for (const url of urls) {
      const run = await runCli(["status", id, "--json"], {
        ...ENV[provider],
        SMS_MCP_DEFAULT_FROM: "+14155550100",
        SMS_MCP_API_BASE_URL: url,
        SMS_MCP_LOG_LEVEL: "trace",
      });
      const basic = (user: string) => Buffer.from(`${user}:${SECRET}`).toString("base64");
      for (const text of [run.stdout, run.stderr]) {
        expect(text).not.toContain(SECRET);
        for (const user of Object.values(ENV[provider])) expect(text).not.toContain(basic(user));
      }
    }
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { lazyProvider } from "../../providers/lazyProvider.js";
import { startSimulator } from "../../simulator/simulator.js";
import { deliveryStateOf, explainDelivery } from "../../sms/delivery.js";
import { VERSION } from "../../version.js";
import { CliError } from "../errors.js";

const DEMO_TO = "+15551234567";
const MODERN_REVISION = "2026-07-28";
const DEMO_MESSAGE =
  "Hi Alice, you're booked for Tuesday May 20 at 3pm with Dr. Smith. Reply CANCEL to cancel. - ABC Dental";
/** The same text with one character outside GSM-7: the lesson of step 8. */
const DEMO_DASHED = DEMO_MESSAGE.replace(" - ", " — ");

/**
 * The environment a host would give the server, pointing it at the simulator, with the audit
 * log and the send ledger in a temporary folder: a demo never touches the user's own.
 */
function serverEnv(
  simulatorUrl: string,
  accountSid: string,
  token: string,
  from: string,
  stateDir: string,
) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(SMS_MCP_|TWILIO_|PLIVO_|TELNYX_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    SMS_MCP_PROVIDER: "twilio",
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: token,
    SMS_MCP_DEFAULT_FROM: from,
    SMS_MCP_API_BASE_URL: simulatorUrl,
    SMS_MCP_LOG_LEVEL: "warn",
    SMS_MCP_STATE_DIR: stateDir,
    SMS_MCP_AUDIT_LOG: join(stateDir, "audit.log"),
  };
}

export interface DemoOptions {
  /** The server asks before sending (`confirm: ask`), and this terminal answers the form. */
  confirm?: boolean;
}

export async function demoCommand(options: DemoOptions = {}): Promise<void> {
  const out = (line = "") => process.stdout.write(`${line}\n`);
  const simulator = await startSimulator();
  const stateDir = await mkdtemp(join(tmpdir(), "sms-mcp-demo-"));
  const { twilio } = simulator.accounts;
  const from = twilio.numbers[0];
  out("sms-mcp demo: one text, end to end, against the built-in simulator (no account needed)\n");
  out(`1. Provider simulator (Twilio, Plivo and Telnyx APIs) listening on ${simulator.url}`);

  // The script this process was started as: the bundle or the compiled CLI, either works.
  const mainPath = process.argv[1] ?? fileURLToPath(import.meta.url);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mainPath, "serve"],
    env: {
      ...serverEnv(simulator.url, twilio.accountSid, twilio.authToken, from, stateDir),
      ...(options.confirm ? { SMS_MCP_CONFIRM: "ask" } : {}),
    },
    stderr: "inherit",
  });
  // The current protocol revision, as a host on the SDK's v2 client speaks it.
  const client = new Client(
    { name: "sms-mcp-demo", version: VERSION },
    {
      versionNegotiation: { mode: { pin: MODERN_REVISION } },
      ...(options.confirm ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  // The form a host would show: here the terminal, answered y or N.
  const questions = terminalQuestions();
  if (options.confirm) {
    client.setRequestHandler("elicitation/create", async (request) => {
      out("   The server asks the person first (confirm: ask); the host shows its form:");
      for (const line of request.params.message.split("\n")) out(`   | ${line}`);
      const yes = await questions.yesNo("   Send this text? [y/N] ");
      return { action: "accept", content: { send: yes } };
    });
  }
  try {
    await client.connect(transport);
    out(
      `2. Spawned \`sms-mcp serve\` over stdio, as an MCP host would (MCP ${MODERN_REVISION}, stateless; Twilio connection, env mode)`,
    );

    const { tools } = await client.listTools();
    for (const tool of tools) {
      const props = Object.keys((tool.inputSchema.properties ?? {}) as object);
      const required = new Set(tool.inputSchema.required ?? []);
      const args = props.map((p) => (required.has(p) ? p : `${p}?`)).join(", ");
      out(`3. tools/list → ${tool.name}(${args})`);
    }

    out(`4. tools/call send_sms → to_ ${DEMO_TO}`);
    out(`   message: "${DEMO_MESSAGE}"`);
    const result: CallToolResult = await client.callTool({
      name: "send_sms",
      arguments: { to_: DEMO_TO, message: DEMO_MESSAGE },
    });
    // The last block repeats structuredContent as JSON, shown here as the details.
    for (const block of result.content.slice(0, -1)) {
      if (block.type === "text") out(`   answer:  ${block.text}`);
    }
    out(`   details: ${JSON.stringify(result.structuredContent)}`);
    const { error } = (result.structuredContent ?? {}) as { error?: { category?: string } };
    if (error?.category === "declined") {
      out("\nNothing was sent: the person said no, and the model is told not to try again.");
      return;
    }

    const [request] = simulator.requests();
    if (request) {
      out(`5. The simulator received ${simulator.requests().length} request:`);
      out(`   ${request.method} ${request.path}`);
      out(`   Authorization: Basic ${twilio.accountSid}:[auth token, hidden]`);
      out(`   Content-Type: ${request.headers["content-type"]}`);
      out(`   ${JSON.stringify(request.body)}`);
    }
    if (result.isError) throw new CliError("the demo send failed");
    const { messageId } = (result.structuredContent ?? {}) as { messageId?: unknown };
    if (typeof messageId === "string") {
      const provider = lazyProvider({
        name: "twilio",
        loadCredentials: async () => ({
          provider: "twilio",
          accountSid: twilio.accountSid,
          secret: twilio.authToken,
        }),
        apiBaseUrl: simulator.url,
        timeoutMs: 5000,
      });
      const report = await provider.messageStatus?.(messageId);
      if (report) {
        const state = deliveryStateOf(report.providerStatus);
        out(`6. sms-mcp status ${messageId}`);
        out(`   ${state}: ${explainDelivery("twilio", state, report.errorCode)}`);
      }
    }
    out(`7. The simulator's inbox shows the text as the phone would: ${simulator.url}/`);

    // One em dash, and the text no longer fits GSM-7: twice the parts, twice the price.
    const dashed: CallToolResult = await client.callTool({
      name: "send_sms",
      arguments: { to_: DEMO_TO, message: DEMO_DASHED },
    });
    const parts = (structured: unknown) => {
      const { segments, encoding } = (structured ?? {}) as { segments?: number; encoding?: string };
      return `${segments ?? "?"} ${segments === 1 ? "part" : "parts"}, ${encoding ?? "?"}`;
    };
    out(`8. The same text with an em dash (—) for the hyphen: ${parts(dashed.structuredContent)}`);
    out(
      `   (was ${parts(result.structuredContent)}): one character outside GSM-7 and each part holds 70 characters instead of 160`,
    );
    out("\nNext: connect your own provider (see README) and add sms-mcp to your MCP host.");
    // The server's part is done: it stops now, whatever happens next. (The terminal's
    // questions too: an open readline would take the Ctrl-C that ends the wait below.)
    questions.close();
    await client.close();
    // On a terminal, a person can look at the inbox: the simulator stays up until Ctrl-C.
    if (process.stdout.isTTY && process.stdin.isTTY) {
      out(`\nThe inbox stays open at ${simulator.url}/ — press Ctrl-C to stop.`);
      await untilInterrupted();
    } else {
      out(
        "\nThe simulator and its inbox closed with the demo; run it on a terminal, or `sms-mcp simulator`, to keep them open.",
      );
    }
  } finally {
    questions.close();
    await client.close();
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/**
 * Questions answered on the terminal, or by piped input (then echoed); once the input has
 * ended, every answer is no.
 */
function terminalQuestions() {
  let lines: Interface | undefined;
  return {
    async yesNo(question: string): Promise<boolean> {
      lines ??= createInterface({ input: process.stdin, output: process.stdout });
      let answer = "";
      try {
        answer = await lines.question(question);
      } catch {
        // The input ended before this question.
      }
      if (!process.stdin.isTTY) process.stdout.write(`${answer}\n`);
      return /^\s*y(es)?\s*$/i.test(answer);
    },
    close: () => lines?.close(),
  };
}

/** Resolves at the first Ctrl-C (SIGINT) or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

import { Command, CommanderError, Option } from "commander";
import { ConfigError } from "../config/configError.js";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
} from "../server/http/defaults.js";
import { CONFIRM_MODES } from "../sms/confirmModes.js";
import { VERSION } from "../version.js";
import type { Shell } from "./completion.js";
import { type CliContext, createCliContext } from "./context.js";
import { CliError, reportError } from "./errors.js";

// Command modules are imported inside each action: `serve` must not pay for the demo's or
// the simulator's code on every host launch.
const program = new Command()
  .name("sms-mcp")
  .description("An MCP server that sends SMS from your own Twilio, Plivo or Telnyx number")
  .version(VERSION)
  .option("--debug", "print stack traces on errors")
  .exitOverride()
  .showHelpAfterError("(run with --help for usage)");

program
  .command("serve")
  .description("run the MCP server (stdio by default)")
  .addOption(
    new Option("--transport <transport>", "stdio or http")
      .choices(["stdio", "http"])
      .default("stdio"),
  )
  .option(
    "--connection <label or id>",
    "which configured connection to send from; http: repeat it to serve several, each at /connections/<id>/mcp",
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option("--all-connections", "http: serve every configured connection")
  .option("--dry-run", "run every check and record the attempt, but send nothing")
  .addOption(
    new Option(
      "--confirm <mode>",
      "a person approves each text through the client's form: ask (or a read-back where it cannot ask), human (or refused), off",
    ).choices(CONFIRM_MODES),
  )
  .option(
    "--host <host>",
    "http: address to bind (non-loopback needs SMS_MCP_AUTH_TOKEN)",
    "127.0.0.1",
  )
  .option("--port <port>", "http: port to listen on (0 = any free port)", "3000")
  .option("--stateless", "http: no server-side sessions, for replicas behind a load balancer")
  .option("--allowed-origins <origins>", "http: comma-separated extra Origins to accept")
  .option("--max-body-bytes <n>", "http: largest request body", String(DEFAULT_MAX_BODY_BYTES))
  .option(
    "--max-sessions <n>",
    "http: most concurrent legacy sessions (503 beyond)",
    String(DEFAULT_MAX_SESSIONS),
  )
  .option(
    "--idle-timeout <seconds>",
    "http: close legacy sessions idle this long",
    String(DEFAULT_IDLE_TIMEOUT_MS / 1000),
  )
  .option("--metrics-public", "http: serve /metrics without auth (a scraper on a private network)")
  .option("--metrics-port <port>", "http: also serve /metrics, without auth, on this loopback port")
  .option(
    "--explain-bad-settings",
    "stdio: when the settings cannot work, keep serving and answer every send_sms with what to fix (for hosts that show only 'disconnected')",
  )
  .option(
    "--redis-url <url>",
    "keep the send ledger in Redis, shared by replicas (default: $SMS_MCP_REDIS_URL)",
  )
  .addHelpText(
    "after",
    '\nExamples:\n  sms-mcp serve\n  sms-mcp serve --connection "Twilio - Sales"\n  SMS_MCP_AUTH_TOKEN=... sms-mcp serve --transport http --port 3000\n  SMS_MCP_PROVIDER=telnyx TELNYX_API_KEY=... SMS_MCP_DEFAULT_FROM=+15550300001 sms-mcp serve',
  )
  .action(async (options) => {
    const { serveAction } = await import("./commands/serve.js");
    await serveAction(options, process.env);
  });

program
  .command("connect")
  .description("add or update a connection: verifies it, stores the secret in the OS keychain")
  .argument("<provider>", "twilio, plivo or telnyx")
  .option("--label <label>", 'a name for the connection, e.g. "Twilio - Sales"')
  .option("--account-sid <sid>", "Twilio Account SID (AC…)")
  .option(
    "--api-key-sid <sid>",
    "Twilio API key SID (SK…), to use an API key instead of the auth token",
  )
  .option("--auth-id <id>", "Plivo Auth ID")
  .option(
    "--default-from <sender>",
    "default sender: a number on the account (E.164), a Twilio Messaging Service (MG…), a Plivo Powerpack UUID, or an alphanumeric ID",
  )
  .option(
    "--messaging-profile-id <id>",
    "Telnyx: the messaging profile to send through (needed for an alphanumeric sender)",
  )
  .option(
    "--sender <sender>",
    'another sender from_ may name, e.g. an alphanumeric ID "ABC Dental" (repeatable)',
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option("--api-base-url <origin>", "send to another origin (the simulator, a proxy)")
  .option("--no-verify", "save without checking the credentials with the provider")
  .addHelpText(
    "after",
    `
The secret (auth token, API key secret or API key) is asked for with a hidden prompt on a
terminal, or read from the first line of stdin otherwise.

Examples:
  sms-mcp connect twilio --label "Twilio - Sales" --account-sid ACxxxxxxxx…
  printf '%s\\n' "$TELNYX_API_KEY" | sms-mcp connect telnyx --label Telnyx --default-from +15550300001`,
  )
  .action(async (provider, options) => {
    const { connectCommand } = await import("./commands/connect.js");
    await connectCommand(provider, options, createCliContext(process.env));
  });

const connections = program
  .command("connections")
  .description("list connections (never secrets)")
  .option("--json", "machine-readable output")
  .addHelpText(
    "after",
    '\nExamples:\n  sms-mcp connections --json\n  sms-mcp connections use "Twilio - Sales"',
  )
  .action(async (options) => {
    const { connectionsCommand } = await import("./commands/connections.js");
    await connectionsCommand(options, createCliContext(process.env));
  });

connections
  .command("use")
  .description("make a connection the default")
  .argument("<connection>", "label or id")
  .addHelpText("after", '\nExample:\n  sms-mcp connections use "Twilio - Sales"')
  .action(async (connection) => {
    const { useConnectionCommand } = await import("./commands/connections.js");
    await useConnectionCommand(connection, createCliContext(process.env));
  });

const token = program
  .command("token")
  .description("per-connection bearer tokens for the HTTP server")
  .addHelpText(
    "after",
    '\nExamples:\n  sms-mcp token add "Twilio - Sales"\n  sms-mcp token list "Twilio - Sales"\n  sms-mcp token revoke "Twilio - Sales" 1a2b3c4d',
  );

token
  .command("add")
  .description("make a new token that opens only this connection's endpoints (shown once)")
  .argument("<connection>", "label or id")
  .action(async (connection) => {
    const { tokenAddCommand } = await import("./commands/token.js");
    await tokenAddCommand(connection, createCliContext(process.env));
  });

token
  .command("list")
  .description("the connection's tokens: ids and creation times, never the tokens")
  .argument("<connection>", "label or id")
  .option("--json", "machine-readable output")
  .action(async (connection, options) => {
    const { tokenListCommand } = await import("./commands/token.js");
    await tokenListCommand(connection, options, createCliContext(process.env));
  });

token
  .command("revoke")
  .description("remove a token (a running server refuses it within a second)")
  .argument("<connection>", "label or id")
  .argument("[token id]", "as `token list` shows it")
  .option("--all", "every token of the connection")
  .action(async (connection, tokenId, options) => {
    const { tokenRevokeCommand } = await import("./commands/token.js");
    await tokenRevokeCommand(connection, tokenId, options, createCliContext(process.env));
  });

program
  .command("disconnect")
  .description("remove a connection and its keychain entry")
  .argument("<connection>", "label or id")
  .addHelpText("after", '\nExample:\n  sms-mcp disconnect "Twilio - Sales"')
  .action(async (connection) => {
    const { disconnectCommand } = await import("./commands/disconnect.js");
    await disconnectCommand(connection, createCliContext(process.env));
  });

program
  .command("check")
  .description("verify the credentials and the default sender with the provider")
  .argument("[connection]", "label or id (default: the default connection)")
  .option("--json", "machine-readable output")
  .addHelpText("after", '\nExample:\n  sms-mcp check "Twilio - Sales"')
  .action(async (connection, options) => {
    const { checkCommand } = await import("./commands/check.js");
    await checkCommand(connection, options, createCliContext(process.env));
  });

program
  .command("numbers")
  .description("list the account's SMS-capable numbers")
  .argument("[connection]", "label or id (default: the default connection)")
  .option("--json", "machine-readable output")
  .addHelpText("after", "\nExample:\n  sms-mcp numbers --json")
  .action(async (connection, options) => {
    const { numbersCommand } = await import("./commands/numbers.js");
    await numbersCommand(connection, options, createCliContext(process.env));
  });

program
  .command("send")
  .description("send one SMS through the same path as the send_sms tool")
  .requiredOption("--to <number>", "recipient, E.164")
  .requiredOption("--message <text>", "the text")
  .option("--from <number>", "sending number (default: the connection's)")
  .option("--connection <label or id>", "which connection to use")
  .option("--dry-run", "run every check and record the attempt, but send nothing")
  .option("--json", "print the result's details as one JSON line")
  .addHelpText(
    "after",
    '\nExample:\n  sms-mcp send --to +15551234567 --message "Your table is ready"',
  )
  .action(async (options) => {
    const { sendCommand } = await import("./commands/send.js");
    await sendCommand(options, createCliContext(process.env));
  });

program
  .command("status")
  .description("a sent text's delivery state, asked of the provider")
  .argument("<message id>", "the messageId of a send (also in sms-mcp log)")
  .option("--connection <label or id>", "which connection sent it")
  .option("--json", "machine-readable output")
  .addHelpText("after", "\nExample:\n  sms-mcp status SM0123456789abcdef0123456789abcdef")
  .action(async (messageId, options) => {
    const { statusCommand } = await import("./commands/status.js");
    await statusCommand(messageId, options, createCliContext(process.env));
  });

program
  .command("log")
  .description("recent send attempts from the audit log")
  .option("--since <duration>", "how far back: 30m, 1h, 7d", "24h")
  .option("--json", "one JSON record per line")
  .option("--file <path>", "audit log to read (default: the ones serve writes)")
  .option("--connection <label or id>", "only this connection's audit log")
  .addHelpText("after", "\nExample:\n  sms-mcp log --since 1h")
  .action(async (options) => {
    const { logCommand } = await import("./commands/log.js");
    await logCommand(options, createCliContext(process.env));
  });

program
  .command("demo")
  .description("send one SMS end to end against the built-in simulator (no account needed)")
  .option("--confirm", "ask you to approve the text first, as a host's form would (y/N)")
  .addHelpText("after", "\nExamples:\n  sms-mcp demo\n  sms-mcp demo --confirm")
  .action(async (options: { confirm?: boolean }) => {
    const { demoCommand } = await import("./commands/demo.js");
    await demoCommand(options);
  });

program
  .command("simulator")
  .description("run the local provider simulator (Twilio, Plivo and Telnyx APIs on one port)")
  .option("--port <port>", "port to listen on", "4010")
  .option("--host <host>", "address to bind", "127.0.0.1")
  .addHelpText("after", "\nExample:\n  sms-mcp simulator --port 4010")
  .action(async (options) => {
    const { simulatorCommand } = await import("./commands/simulator.js");
    await simulatorCommand(options);
  });

program
  .command("guardrails")
  .description(
    "a connection's effective guardrail settings and where each comes from; set or unset one",
  )
  .argument("<connection>", "label or id")
  .argument("[action]", "set or unset")
  .argument("[field]", "a guardrail field, e.g. perRecipient")
  .argument("[value]", "for set: written as its environment variable is, e.g. 5/1h, US,CA, true")
  .option("--json", "machine-readable output")
  .addHelpText(
    "after",
    '\nExamples:\n  sms-mcp guardrails "Twilio - Sales"\n  sms-mcp guardrails "Twilio - Sales" set perRecipient 3/1h\n  sms-mcp guardrails "Twilio - Sales" unset perRecipient',
  )
  .action(async (connection, action, field, value, options) => {
    const { guardrailsCommand } = await import("./commands/guardrails.js");
    await guardrailsCommand(
      connection,
      action,
      field,
      value,
      options,
      createCliContext(process.env),
    );
  });

program
  .command("doctor")
  .description(
    "checks what sms-mcp needs: Node, the keychain, its files, each connection's secret and provider",
  )
  .option("--json", "machine-readable output")
  .action(async (options) => {
    const { doctorCommand } = await import("./commands/doctor.js");
    // A variable doctor cannot read is one of the things it reports, not a reason to say nothing.
    let context: CliContext | ConfigError;
    try {
      context = createCliContext(process.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      context = error;
    }
    await doctorCommand(options, context);
  });

program
  .command("completion")
  .description("print a shell completion script (from these commands' own definitions)")
  .argument("<shell>", "bash, zsh or fish")
  .addHelpText("after", '\nExample:\n  eval "$(sms-mcp completion bash)"')
  .action(async (shell: string) => {
    const { completionScript, SHELLS } = await import("./completion.js");
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new CliError(`unknown shell "${shell}": choose bash, zsh or fish`, 2);
    }
    process.stdout.write(completionScript(program, shell as Shell));
  });

/**
 * A host that launches the package bare (`npx -y sms-mcp`, no subcommand) expects a stdio
 * server: with stdin not a terminal, no arguments mean `serve`. On a terminal, help.
 */
function withDefaultCommand(argv: string[]): string[] {
  if (argv.length > 2) return argv;
  return process.stdin.isTTY ? [...argv, "--help"] : [...argv, "serve"];
}

// `sms-mcp log | head`: a reader that stops reading is not an error of ours. (serve installs
// its own handler: on stdio a closed stdout means the host went away.)
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

try {
  await program.parseAsync(withDefaultCommand(process.argv));
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not failures; every other commander error is a usage error.
    const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(
      error.code,
    );
    process.exitCode = ok ? 0 : 2;
  } else if (error instanceof Error && error.name === "ExitPromptError") {
    // Ctrl-C at a prompt: the person chose to stop; said in one word, and 130 as a shell says.
    process.stderr.write("sms-mcp: cancelled\n");
    process.exitCode = 130;
  } else {
    process.exitCode = reportError(error, program.opts().debug === true);
  }
}

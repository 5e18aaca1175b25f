#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "../version.js";
import { reportError } from "./errors.js";

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
  .option("--connection <label or id>", "which configured connection to send from")
  .option("--host <host>", "http: address to bind", "127.0.0.1")
  .option("--port <port>", "http: port to listen on", "3000")
  .addHelpText(
    "after",
    '\nExamples:\n  sms-mcp serve\n  sms-mcp serve --connection "Twilio - Sales"\n  SMS_MCP_PROVIDER=telnyx TELNYX_API_KEY=... SMS_MCP_DEFAULT_FROM=+15550300001 sms-mcp serve',
  )
  .action(async (options) => {
    const { serveCommand } = await import("./commands/serve.js");
    await serveCommand(options);
  });

program
  .command("demo")
  .description("send one SMS end to end against the built-in simulator (no account needed)")
  .action(async () => {
    const { demoCommand } = await import("./commands/demo.js");
    await demoCommand();
  });

program
  .command("simulator")
  .description("run the local provider simulator (Twilio, Plivo and Telnyx APIs on one port)")
  .option("--port <port>", "port to listen on", "4010")
  .option("--host <host>", "address to bind", "127.0.0.1")
  .action(async (options) => {
    const { simulatorCommand } = await import("./commands/simulator.js");
    await simulatorCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not failures; every other commander error is a usage error.
    const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(
      error.code,
    );
    process.exitCode = ok ? 0 : 2;
  } else {
    process.exitCode = reportError(error, program.opts().debug === true);
  }
}

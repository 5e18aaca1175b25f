import { ListenError } from "../../server/http/security.js";
import { DELIVERY_RECIPIENTS } from "../../simulator/delivery.js";
import { RESERVED_RECIPIENTS } from "../../simulator/reservedNumbers.js";
import { startSimulator } from "../../simulator/simulator.js";
import { CliError } from "../errors.js";

export async function simulatorCommand(options: { port: string; host: string }): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a number from 0 to 65535, not ${options.port}`, 2);
  }
  // A busy or forbidden port is said in the same sentence as `serve` says it.
  const simulator = await startSimulator({ host: options.host, port }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new ListenError(options.host, port, error.code);
    },
  );
  const { twilio, plivo, telnyx } = simulator.accounts;
  const lines = [
    `sms-mcp simulator listening on ${simulator.url}`,
    `Inbox (every text it receives, live): ${simulator.url}/`,
    "",
    `Twilio  account ${twilio.accountSid}  token ${twilio.authToken}  numbers ${twilio.numbers.join(", ")}`,
    `Plivo   auth id ${plivo.authId}  token ${plivo.authToken}  numbers ${plivo.numbers.join(", ")}`,
    `Telnyx  api key ${telnyx.apiKey}  numbers ${telnyx.numbers.join(", ")}`,
    `        webhook public key ${simulator.telnyxPublicKey} (SMS_MCP_TELNYX_PUBLIC_KEY)`,
    "",
    "Reserved recipients:",
    ...Object.entries(RESERVED_RECIPIENTS).map(([n, s]) => `  ${n}  ${s}`),
    ...Object.entries(DELIVERY_RECIPIENTS).map(([n, s]) => `  ${n}  taken, then ${s}`),
    "",
    `Received requests: GET ${simulator.url}/_simulator/requests (DELETE to clear)`,
    `Status callbacks it made: GET ${simulator.url}/_simulator/callbacks`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const stop = async () => {
    await simulator.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

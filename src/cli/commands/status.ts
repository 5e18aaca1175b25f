import { isMessageId } from "../../providers/untrusted.js";
import { deliveryAuditRecord, explainDelivery } from "../../sms/delivery.js";
import { PROVIDER_TITLES } from "../../sms/providerNames.js";
import { openAuditLog } from "../compose.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { askProvider, openProvider } from "../providerSession.js";
import { resolveForCli } from "../resolveForCli.js";

const ID_FORMATS = { twilio: "SM or MM + 32 hex digits", plivo: "a UUID", telnyx: "a UUID" };

/** `sms-mcp status <message id>`: where the text is now, asked of the provider. */
export async function statusCommand(
  messageId: string,
  options: { connection?: string; json?: boolean },
  context: CliContext,
) {
  const connection = await resolveForCli(options.connection, context);
  const title = PROVIDER_TITLES[connection.provider];
  if (!isMessageId(connection.provider, messageId)) {
    throw new CliError(
      `${JSON.stringify(messageId.slice(0, 80))} is not a ${title} message id (${ID_FORMATS[connection.provider]}); the id is in the send's answer (messageId) and in sms-mcp log`,
      2,
    );
  }
  const provider = await openProvider(
    await connection.loadCredentials(),
    connection.apiBaseUrl,
    context,
  );
  const { messageStatus } = provider;
  if (!messageStatus) throw new CliError(`${title} cannot report message status`);
  const report = await askProvider(
    connection,
    context,
    () => messageStatus.call(provider, messageId),
    (reason) => `could not get the status of ${messageId} from ${title}: ${reason}`,
  );
  const record = deliveryAuditRecord(connection, report, new Date());
  const state = record.delivery;
  const explanation = explainDelivery(connection.provider, state, report.errorCode);
  // On record, so that `sms-mcp log` shows the last known state beside the send.
  const audit = openAuditLog(connection.auditLogPath);
  try {
    await audit.append(record);
  } finally {
    await audit.close();
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        messageId,
        provider: connection.provider,
        connection: connection.label,
        state,
        providerStatus: report.providerStatus,
        errorCode: report.errorCode ?? null,
        explanation,
      })}\n`,
    );
    return;
  }
  const code = report.errorCode ? ` (error ${report.errorCode})` : "";
  process.stdout.write(`${state}${code}: ${explanation}\n`);
}

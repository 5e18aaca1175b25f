import { loadConfig } from "../../config/configFile.js";
import { setGuardrail } from "../../config/connectionStore.js";
import { noSuchConnection } from "../../config/didYouMean.js";
import { parseGuardrail, resolveGuardrails } from "../../config/guardrailSettings.js";
import { findConnection } from "../../config/resolveConnection.js";
import {
  GUARDRAIL_FIELDS,
  GUARDRAIL_NAMES,
  type GuardrailName,
} from "../../sms/guardrails/settings.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { columnWidths } from "../table.js";

/** Where a connection's effective setting comes from, last one winning. */
type Source = "default" | "config" | "environment";

/** A value as a person writes it: the environment variable's syntax (`5/1h`, `US,CA`, `true`). */
function written(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (Array.isArray(value)) {
    // Templates show by name: their texts are in the config file.
    const items = value.map((item) => (typeof item === "object" && item ? item.name : item));
    return items.length ? items.join(",") : "(none)";
  }
  if (typeof value === "object" && value !== null && "limit" in value && "windowSeconds" in value) {
    const { limit, windowSeconds } = value as { limit: number; windowSeconds: number };
    return `${limit}/${windowSeconds}s`;
  }
  if (typeof value === "object" && value !== null && "start" in value && "end" in value) {
    return `${value.start}-${value.end}`;
  }
  return String(value);
}

function fieldNamed(field: string): GuardrailName {
  if ((GUARDRAIL_NAMES as string[]).includes(field)) return field as GuardrailName;
  throw new CliError(`unknown guardrail "${field}": one of ${GUARDRAIL_NAMES.join(", ")}`, 2);
}

/**
 * `sms-mcp guardrails <connection>`: the connection's effective guardrail settings, each with
 * its source; `set <field> <value>` and `unset <field>` write the config file (same schemas,
 * same lock and atomic write as `connect`).
 */
export async function guardrailsCommand(
  wanted: string,
  action: string | undefined,
  field: string | undefined,
  value: string | undefined,
  options: { json?: boolean },
  { environment }: CliContext,
): Promise<void> {
  const path = environment.configPath;
  if (action === "set" || action === "unset") {
    if (field === undefined) throw new CliError(`guardrails ${action} needs a field`, 2);
    const name = fieldNamed(field);
    if (action === "set" && value === undefined) {
      throw new CliError(
        `guardrails set ${name} needs a value, written as ${GUARDRAIL_FIELDS[name].env} is`,
        2,
      );
    }
    const parsed = action === "set" ? parseGuardrail(name, value as string, name) : undefined;
    const connection = await setGuardrail(
      path,
      wanted,
      name,
      parsed,
      environment.guardrailOverrides,
    );
    const shown =
      action === "set" ? `${name} = ${written(parsed)}` : `${name} unset (back to its default)`;
    process.stdout.write(`"${connection.label}": ${shown}\n`);
    if (environment.guardrailOverrides[name] !== undefined) {
      process.stdout.write(
        `note: ${GUARDRAIL_FIELDS[name].env} is set in this environment, and overrides it\n`,
      );
    }
    return;
  }
  if (action !== undefined) {
    throw new CliError(`unknown action "${action}": use set or unset, or nothing to show`, 2);
  }
  const config = await loadConfig(path);
  const connection = findConnection(config, wanted);
  if (!connection) throw new CliError(noSuchConnection(config, wanted));
  const effective = resolveGuardrails(connection.guardrails, environment.guardrailOverrides);
  const rows = GUARDRAIL_NAMES.map((name) => {
    const fromEnvironment = environment.guardrailOverrides[name];
    const fromConfig = connection.guardrails?.[name];
    const source: Source =
      fromEnvironment !== undefined
        ? "environment"
        : fromConfig !== undefined
          ? "config"
          : "default";
    return { field: name, value: effective[name], source, variable: GUARDRAIL_FIELDS[name].env };
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ connection: connection.label, guardrails: rows })}\n`);
    return;
  }
  const table = [
    ["field", "value", "source"],
    ...rows.map((r) => [
      r.field,
      written(r.value),
      r.source === "environment" ? `environment (${r.variable})` : r.source,
    ]),
  ];
  const widths = columnWidths(table);
  process.stdout.write(`"${connection.label}":\n`);
  for (const row of table) {
    process.stdout.write(
      `  ${(row[0] ?? "").padEnd(widths[0] ?? 0)}  ${(row[1] ?? "").padEnd(widths[1] ?? 0)}  ${row[2]}\n`,
    );
  }
}

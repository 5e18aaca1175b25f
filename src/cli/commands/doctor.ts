import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { ConfigError } from "../../config/configError.js";
import { loadConfig } from "../../config/configFile.js";
import type { ResolvedConnection } from "../../config/connection.js";
import { fromConfig, resolveConnection } from "../../config/resolveConnection.js";
import { PROVIDER_API_ORIGINS } from "../../providers/origins.js";
import type { CliContext } from "../context.js";

/** One line of the report: what was checked, and OK or what to do. */
interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

/** The floor the package declares (package.json `engines`). */
const NODE_FLOOR = [20, 12] as const;
/** How long the reachability check waits for a provider (or the simulator) to answer. */
const REACH_TIMEOUT_MS = 3000;
/** A probe account no connection uses: reading it shows the Secret Service answers. */
const PROBE_ACCOUNT = "sms-mcp-doctor-probe";

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const ok = major > NODE_FLOOR[0] || (major === NODE_FLOOR[0] && minor >= NODE_FLOOR[1]);
  return {
    check: "Node.js",
    ok,
    detail: ok
      ? process.version
      : `${process.version}: sms-mcp needs Node.js ${NODE_FLOOR.join(".")} or newer; install a current LTS`,
  };
}

async function keychainChecks({ environment, secrets }: CliContext): Promise<Check[]> {
  const checks: Check[] = [];
  const module = await import("@github/keytar").then(
    () => undefined,
    (error: unknown) => errorText(error).split("\n")[0],
  );
  checks.push({
    check: "keychain module",
    ok: module === undefined,
    detail:
      module === undefined
        ? "@github/keytar loads"
        : `@github/keytar does not load (${module}); reinstall sms-mcp, and on Linux install libsecret-1-0`,
  });
  if (process.platform === "linux") {
    checks.push({
      check: "session bus",
      ok: environment.sessionBusAddress !== undefined,
      detail:
        environment.sessionBusAddress ??
        "none: DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus; run inside a desktop login session, or use env mode",
    });
  }
  const secretService = await secrets.get(PROBE_ACCOUNT).then(
    () => undefined,
    (error: unknown) => errorText(error),
  );
  checks.push({
    check: "Secret Service",
    ok: secretService === undefined,
    detail: secretService === undefined ? "the keychain answers" : secretService,
  });
  return checks;
}

/** A file or folder holding settings or state: present (or creatable), private, writable. */
async function pathCheck(check: string, path: string, privateMode: number): Promise<Check> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return { check, ok: true, detail: `${path} (not there yet: made on first use)` };
  if ((info.mode & 0o077) !== 0) {
    return {
      check,
      ok: false,
      detail: `${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod ${privateMode.toString(8)} ${path}`,
    };
  }
  const writable = await access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
  return writable
    ? { check, ok: true, detail: `${path} (mode ${(info.mode & 0o777).toString(8)})` }
    : { check, ok: false, detail: `${path} is not writable by this user; fix its owner` };
}

async function reachable(connection: ResolvedConnection): Promise<Check> {
  const origin = connection.apiBaseUrl ?? PROVIDER_API_ORIGINS[connection.provider];
  const check = `"${connection.label}" reaches ${origin}`;
  try {
    await fetch(origin, { method: "HEAD", signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
    return { check, ok: true, detail: "it answers" };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? errorText(error);
    return {
      check,
      ok: false,
      detail: `no answer (${cause}); check the network, a proxy, or the connection's --api-base-url`,
    };
  }
}

/**
 * `sms-mcp doctor`: one line per check, OK or what to do; exit 1 when any fails. Given the
 * environment's own problem instead of a context, it reports that (and what needs no
 * environment) rather than nothing.
 */
export async function doctorCommand(
  options: { json?: boolean },
  context: CliContext | ConfigError,
) {
  if (context instanceof ConfigError) {
    report(options, [nodeCheck(), { check: "environment", ok: false, detail: context.message }]);
    return;
  }
  report(options, await allChecks(context));
}

function report(options: { json?: boolean }, checks: readonly Check[]): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(checks)}\n`);
  } else {
    for (const { check, ok, detail } of checks) {
      process.stdout.write(`${ok ? "OK  " : "FAIL"}  ${check}: ${detail}\n`);
    }
  }
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

async function allChecks(context: CliContext): Promise<Check[]> {
  const { environment, secrets } = context;
  const connections: ResolvedConnection[] = [];
  let configProblem: string | undefined;
  try {
    const config = await loadConfig(environment.configPath);
    for (const connection of config.connections) {
      connections.push(fromConfig(connection, secrets, environment));
    }
  } catch (error) {
    configProblem = errorText(error);
  }
  // Env mode alone needs no keychain: there its checks are said, not failed.
  const needsKeychain = !environment.envMode || connections.length > 0;
  const keychain = (await keychainChecks(context)).map((c) =>
    c.ok || needsKeychain ? c : { ...c, ok: true, detail: `not needed in env mode (${c.detail})` },
  );
  const checks: Check[] = [nodeCheck(), ...keychain];
  checks.push(await pathCheck("config file", environment.configPath, 0o600));
  if (configProblem)
    checks.push({ check: "config file contents", ok: false, detail: configProblem });
  checks.push(await pathCheck("state directory", environment.stateDir, 0o700));
  for (const connection of connections) {
    const secret = await secrets.get(connection.id).then(
      (value) => (typeof value === "string" ? "present" : "missing"),
      () => "unreadable" as const,
    );
    checks.push({
      check: `"${connection.label}" secret`,
      ok: secret === "present",
      detail:
        secret === "present"
          ? "in the keychain"
          : secret === "unreadable"
            ? "the keychain cannot be read now (see the Secret Service line); the secret may well be there"
            : `not in the keychain; run sms-mcp connect ${connection.provider} --label "${connection.label}" again`,
    });
  }
  if (environment.envMode) {
    connections.push(await resolveConnection({ wanted: undefined, environment, secrets }));
  }
  checks.push(...(await Promise.all(connections.map(reachable))));
  return checks;
}

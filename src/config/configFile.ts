import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "./configError.js";
import { type ConfigFile, configSchema, emptyConfig } from "./schema.js";

/** Opening a path never follows a link at its end, and never waits on a FIFO. */
const SAFE_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Reads and validates the config file; a missing file is an empty config, a broken one an error. */
export async function loadConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    const file = await open(path, SAFE_READ);
    try {
      if (!(await file.stat()).isFile()) throw Object.assign(new Error(), { code: "ENOTREG" });
      text = await file.readFile("utf8");
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return emptyConfig();
    throw new ConfigError(
      notRegular(path, code) ?? `cannot read the config file ${path} (${code})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`the config file ${path} is not valid JSON; fix or remove it`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new ConfigError(
      `the config file ${path} is not valid${where}: ${issue?.message ?? "unknown problem"}`,
    );
  }
  return parsed.data;
}

/** The sentence for a config path that is a link or no regular file; undefined otherwise. */
function notRegular(path: string, code: string | undefined): string | undefined {
  if (code === "ELOOP") {
    return `the config file ${path} is a symbolic link; sms-mcp reads and writes only a regular file (point SMS_MCP_CONFIG at the file itself)`;
  }
  if (code === "ENOTREG" || code === "EISDIR" || code === "ENXIO") {
    return `the config file ${path} is not a regular file (a directory, a FIFO or a device); point SMS_MCP_CONFIG at a file`;
  }
  return undefined;
}

/**
 * Writes atomically (temp file + rename) with mode 0600, so a crash never leaves half a file.
 * A path that is a link or no regular file is refused: the rename would replace it.
 */
export async function saveConfig(path: string, config: ConfigFile): Promise<void> {
  const valid = configSchema.parse(config);
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !existing.isFile()) {
    throw new ConfigError(
      notRegular(path, existing.isSymbolicLink() ? "ELOOP" : "ENOTREG") ?? "not a regular file",
    );
  }
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(temp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    // Best effort: the temp file may not exist, or its name may be what failed.
    await rm(temp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? "write failed";
    throw new ConfigError(`cannot write the config file ${path} (${code}); nothing was saved`);
  }
}

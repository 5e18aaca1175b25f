import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "./configError.js";
import { type ConfigFile, configSchema, emptyConfig } from "./schema.js";

/** Reads and validates the config file; a missing file is an empty config, a broken one an error. */
export async function loadConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyConfig();
    throw new ConfigError(`cannot read the config file ${path}: ${(error as Error).message}`);
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

/** Writes atomically (temp file + rename) with mode 0600, so a crash never leaves half a file. */
export async function saveConfig(path: string, config: ConfigFile): Promise<void> {
  const valid = configSchema.parse(config);
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

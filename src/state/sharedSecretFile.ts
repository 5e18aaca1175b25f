import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The secret named `name` kept in `dir` (0600), created as `created` by whichever process
 * comes first. Written whole to a temporary file, then linked into place: the first link wins,
 * and no process ever reads a half-written secret.
 */
export function sharedSecretFile(dir: string, name: string, created: string): string {
  const path = join(dir, `${name}.secret`);
  const temp = `${path}.${process.pid}.${randomUUID()}`;
  writeFileSync(temp, created, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temp, path);
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(path, "utf8");
  } finally {
    unlinkSync(temp);
  }
}

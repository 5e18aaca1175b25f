// An audit log or config path that is a symbolic link, a FIFO or a folder: refused at start-up
// with one clear line, never followed, never waited on, never replaced.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sms-mcp-paths-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const ENV_MODE = {
  SMS_MCP_PROVIDER: "telnyx",
  TELNYX_API_KEY: "KEY0123",
  SMS_MCP_DEFAULT_FROM: "+15550300001",
};

async function unsafe(kind: "symlink" | "fifo" | "directory"): Promise<string> {
  const path = join(dir, `target-${kind}`);
  if (kind === "symlink") {
    await writeFile(join(dir, "elsewhere"), "");
    await symlink(join(dir, "elsewhere"), path);
  } else if (kind === "fifo") {
    execFileSync("mkfifo", [path]);
  } else {
    await mkdir(path);
  }
  return path;
}

describe.each(["symlink", "fifo", "directory"] as const)("a path that is a %s", (kind) => {
  it("as the audit log: serve stops at start-up with the reason", async () => {
    const path = await unsafe(kind);
    const run = await runCli(["serve"], { ...ENV_MODE, SMS_MCP_AUDIT_LOG: path });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      kind === "symlink" ? /audit log .* is a symbolic link/ : /audit log .* is not a regular file/,
    );
    if (kind === "symlink") expect(await readFile(join(dir, "elsewhere"), "utf8")).toBe("");
  });

  it("as the config: commands stop with the reason, and connect never replaces it", async () => {
    const path = await unsafe(kind);
    const list = await runCli(["connections"], { SMS_MCP_CONFIG: path });
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(
      kind === "symlink"
        ? /config file .* is a symbolic link/
        : /config file .* is not a regular file/,
    );
    const connect = await runCli(
      ["connect", "telnyx", "--label", "T", "--no-verify", "--default-from", "+15550300001"],
      { SMS_MCP_CONFIG: path },
      "KEYabc\n",
    );
    expect(connect.code).toBe(1);
    if (kind === "symlink") expect(await readlink(path)).toBe(join(dir, "elsewhere"));
  });
});

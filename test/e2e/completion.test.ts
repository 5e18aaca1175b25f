// Shell completion generated from the CLI's own command definitions: sourced by a real bash,
// it completes what a person types.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("sms-mcp completion", () => {
  it.each([
    [["sms-mcp", "con"], 1, "connect connections"],
    [["sms-mcp", "token", "l"], 2, "list"],
    [["sms-mcp", "token", "list", "--j"], 3, "--json"],
    [["sms-mcp", "serve", "--tr"], 2, "--transport"],
    [["sms-mcp", "log", "--s"], 2, "--since"],
  ])("bash completes %j", async (words, index, expected) => {
    const script = (await runCli(["completion", "bash"], {})).stdout;
    const bash = spawnSync(
      "bash",
      [
        "-c",
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${index}; _sms_mcp_complete; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: "utf8" },
    );
    expect(bash.stderr).toBe("");
    expect(bash.stdout.trim()).toBe(expected);
  });

  it("knows every command the CLI has: a new one shows up without touching the script", async () => {
    const help = (await runCli(["--help"], {})).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)]
      .map((m) => m[1])
      .filter((c) => c !== "help");
    const script = (await runCli(["completion", "bash"], {})).stdout;
    const top = /if \[ "\$COMP_CWORD" -eq 1 \]; then\n\s+words="([^"]*)"/.exec(script)?.[1] ?? "";
    expect(commands.length).toBeGreaterThan(10);
    for (const command of commands) expect(top.split(" ")).toContain(command);
  });

  it.each(["zsh", "fish"])("prints a %s script too", async (shell) => {
    const run = await runCli(["completion", shell], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(shell === "fish" ? /^complete -c sms-mcp /m : /bashcompinit/);
  });

  it("an unknown shell is a usage error", async () => {
    const run = await runCli(["completion", "powershell"], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/choose bash, zsh or fish/);
  });
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCliOnPty } from "../helpers/pty.js";
import { cleanEnv } from "../helpers/simulatorEnv.js";
import { CLI_PATH } from "../helpers/stdioServer.js";

const run = promisify(execFile);

describe("sms-mcp demo", () => {
  it("sends the appointment confirmation end to end with no account and no keychain", async () => {
    const { stdout } = await run(process.execPath, [CLI_PATH, "demo"], {
      env: { ...cleanEnv(), DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" },
    });
    expect(stdout).toContain("tools/list → send_sms(to_, message, from_?)");
    expect(stdout).toContain("answer:  SMS sent.");
    expect(stdout).toContain(
      "POST /2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json",
    );
    expect(stdout).toContain('"To":"+15551234567"');
    expect(stdout).toContain("ABC Dental");
    // Then where the text is: the simulator settles it delivered.
    expect(stdout).toMatch(/6\. sms-mcp status SM[0-9a-f]{32}\n {3}delivered: /);
    // The JSON repeat of structuredContent is shown once, as the details.
    expect(stdout.match(/"status":"sent"/g)).toHaveLength(1);
    expect(stdout).not.toContain("sim_twilio_auth_token");
    // The first text fits GSM-7; the lesson of one em dash comes after it.
    expect(stdout).toMatch(/"segments":1,"encoding":"GSM-7"/);
    expect(stdout).toContain(
      "8. The same text with an em dash (—) for the hyphen: 2 parts, UCS-2\n   (was 1 part, GSM-7)",
    );
    // Not on a terminal: it names the inbox, says it closed, and exits by itself.
    expect(stdout).toMatch(/7\. The simulator's inbox .*: http:\/\/127\.0\.0\.1:\d+\/\n/);
    expect(stdout).toContain("The simulator and its inbox closed with the demo");
    expect(stdout).not.toContain("Ctrl-C");
  });

  it("--confirm: the terminal answers the form; y sends, N sends nothing", async () => {
    const demo = (answer: string) =>
      new Promise<string>((resolve, reject) => {
        const child = execFile(
          process.execPath,
          [CLI_PATH, "demo", "--confirm"],
          { env: { ...cleanEnv(), DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" } },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
        child.stdin?.end(`${answer}\n`);
      });
    const yes = await demo("y");
    expect(yes).toContain("The server asks the person first (confirm: ask)");
    expect(yes).toContain(
      "   | To: +15551234567 (+1, no one country known for this range)\n   | From: +15550100001",
    );
    expect(yes).toContain("Send this text? [y/N] y\n   answer:  SMS sent.");
    expect(yes).toContain('"confirmedBy":"person"');
    const no = await demo("n");
    expect(no).toContain('"category":"declined"');
    expect(no).toContain("Nothing was sent: the person said no");
    expect(no).not.toContain("The simulator received");
  });

  it("on a terminal, keeps the simulator and its inbox up until Ctrl-C", async () => {
    const session = runCliOnPty(["demo"], { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent" });
    const inboxLine = /inbox stays open at (http:\/\/[^/\s]+\/)/;
    await Promise.race([
      session.waitFor(inboxLine),
      session.exit.then(() => {
        throw new Error(`the demo exited: ${session.output()}`);
      }),
    ]);
    const url = inboxLine.exec(session.output())?.[1] ?? "";
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Simulator inbox</h1>");
    session.type("\u0003");
    expect(await session.exit).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});

/** True when a person can answer prompts. */
export function interactive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** The first line of stdin, for scripts: `printf '%s\n' "$TOKEN" | sms-mcp connect …`. */
export async function firstLineOfStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += chunk.toString();
    const newline = text.indexOf("\n");
    if (newline >= 0) {
      process.stdin.destroy();
      return text.slice(0, newline).replace(/\r$/, "");
    }
  }
  return text;
}

type Prompts = typeof import("@inquirer/prompts");

/** The prompts library is loaded only when a person is actually asked something. */
export function prompts(): Promise<Prompts> {
  return import("@inquirer/prompts");
}

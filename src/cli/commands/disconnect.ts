import { removeConnection } from "../../config/connectionStore.js";
import type { CliContext } from "../context.js";

export async function disconnectCommand(wanted: string, { environment, secrets }: CliContext) {
  const removed = await removeConnection(environment.configPath, secrets, wanted);
  process.stdout.write(`Removed "${removed.label}" (${removed.id}) and its keychain entry.\n`);
}

import { removeConnection } from "../../config/connectionStore.js";
import { connectionStoreFor } from "../context.js";

export async function disconnectCommand(wanted: string) {
  const { path, secrets } = connectionStoreFor();
  const removed = await removeConnection(path, secrets, wanted);
  process.stdout.write(`Removed "${removed.label}" (${removed.id}) and its keychain entry.\n`);
}

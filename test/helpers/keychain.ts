import { KeytarSecretStore } from "../../src/config/secretStore.js";

/** Whether a real Secret Service answers here; if not, why not. */
export async function keychainStatus(): Promise<{ available: boolean; reason: string }> {
  const store = new KeytarSecretStore();
  const probe = `probe-${process.pid}-${Date.now()}`;
  try {
    await store.set(probe, "probe");
    const back = await store.get(probe);
    await store.delete(probe);
    return back === "probe"
      ? { available: true, reason: "" }
      : { available: false, reason: "the keychain did not return what was stored" };
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
}

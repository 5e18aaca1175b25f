import { hash } from "node:crypto";

/** Hex SHA-256 of UTF-8 text (the one-shot `crypto.hash`: no Hash object per send). */
export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

import type { ConfigFile } from "./schema.js";

/** Edits (insert, delete, replace) that turn `a` into `b`: Levenshtein's distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, replace);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The configured connection a mistyped label or id most likely meant: the closest one within
 * a third of its length (at least two edits), or none.
 */
export function closestConnection(config: ConfigFile, wanted: string): string | undefined {
  const typed = wanted.toLowerCase();
  let best: { label: string; distance: number } | undefined;
  for (const connection of config.connections) {
    for (const name of [connection.label, connection.id]) {
      const distance = editDistance(typed, name.toLowerCase());
      const allowed = Math.max(2, Math.floor(name.length / 3));
      if (distance <= allowed && (!best || distance < best.distance)) {
        best = { label: connection.label, distance };
      }
    }
  }
  return best?.label;
}

/** The configured connections, as a sentence lists them. */
export function listChoices(config: ConfigFile): string {
  return config.connections.map((c) => `"${c.label}" (${c.id})`).join(", ");
}

/** The "no connection named …" sentence, with a suggestion when one is close. */
export function noSuchConnection(config: ConfigFile, wanted: string): string {
  const suggestion = closestConnection(config, wanted);
  if (suggestion) return `no connection named "${wanted}"; did you mean "${suggestion}"?`;
  if (config.connections.length === 0) {
    return `no connection named "${wanted}": none is configured yet; add one with sms-mcp connect twilio|plivo|telnyx`;
  }
  return `no connection named "${wanted}"; choose one of ${listChoices(config)}`;
}

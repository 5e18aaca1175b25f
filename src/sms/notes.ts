import type { FoundLink } from "./links.js";

const LINK_NOTE =
  "the text contains a link: carriers may silently filter links from senders without A2P 10DLC registration, even though the provider answers sent";

/** What the model should know about a text before it goes out, as notes for the answer. */
export function notesFor(links: readonly FoundLink[]): string[] | undefined {
  return links.some((link) => !link.email) ? [LINK_NOTE] : undefined;
}

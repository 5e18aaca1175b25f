const LINK = /\bhttps?:\/\/|\bwww\.[a-z0-9-]+\.[a-z]/i;
const LINK_NOTE =
  "the text contains a link: carriers may silently filter links from senders without A2P 10DLC registration, even though the provider answers sent";

/** What the model should know about a text before it goes out, as notes for the answer. */
export function notesFor(body: string): string[] | undefined {
  return LINK.test(body) ? [LINK_NOTE] : undefined;
}

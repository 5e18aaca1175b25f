// Its own module, without zod: the CLI's option parser names these words at start-up.

/** `off`: send at once; `ask`: the person confirms, or the model reads back; `human`: only a person. */
export const CONFIRM_MODES = ["off", "ask", "human"] as const;
export type ConfirmMode = (typeof CONFIRM_MODES)[number];

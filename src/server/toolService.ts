import type { SmsService } from "../sms/smsService.js";

/** What the MCP server needs of the service behind its one tool (an SmsService has it all). */
export type ToolService = Pick<
  SmsService,
  | "connection"
  | "contentPolicy"
  | "confirmation"
  | "sealingKey"
  | "send"
  | "traced"
  | "warmUp"
  | "idle"
  | "close"
  | "inFlight"
>;

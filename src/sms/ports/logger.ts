/** The slice of a structured logger the domain writes to (pino's Logger fits it). */
export interface SendLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  isLevelEnabled(level: string): boolean;
}

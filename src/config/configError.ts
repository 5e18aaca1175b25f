/** A problem with the configuration, in words for the person who owns it (never a secret). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

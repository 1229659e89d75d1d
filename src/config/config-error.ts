/** A setting that is missing, malformed or out of range; `key` names it (e.g. `JWT_APP_SECRET_FILE`). */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

// Reading one setting's value: trimmed (empty is unset), checked against its shape (URL, endpoint, number,
// boolean, list) and refused with a ConfigError that names the setting, never repeating a value that may hold a key.

/** A setting that is missing or malformed; the message names the setting and what is wrong with it. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An application ID URI (api://..., https://...) or a bare client ID; no whitespace, quotes or commas.
export const API_AUDIENCE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/[^\s"',]{1,500}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
export const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;
// Management group IDs: letters, digits, `-_().`, up to 90 characters.
export const MANAGEMENT_GROUP = /^[A-Za-z0-9\-_().]{1,90}$/;
export const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
export const DOMAIN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function describeValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function parseUrl(
  name: string,
  value: string,
  options: { httpsOnly: boolean; httpOnlyLoopback?: boolean },
): string {
  if (value.startsWith('@Microsoft.KeyVault(')) {
    throw new ConfigError(
      `${name} is an unresolved Key Vault reference: grant the app's identity access to the secret`,
      name,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not repeated: URLs of these settings may carry a key (`?code=`, `sig=`, a SAS token).
    throw new ConfigError(`${name} is not a valid URL (expected https://host/...)`, name);
  }
  if (url.protocol !== 'https:' && (options.httpsOnly || url.protocol !== 'http:')) {
    throw new ConfigError(
      `${name} must be an ${options.httpsOnly ? 'https' : 'http(s)'} URL (got ${url.protocol.replace(':', '')})`,
      name,
    );
  }
  if (url.protocol === 'http:' && options.httpOnlyLoopback && !LOOPBACK.has(url.hostname.toLowerCase())) {
    throw new ConfigError(`${name} must be an https URL (plain http only to this machine: localhost)`, name);
  }
  return value.replace(/\/+$/, '');
}

/** An endpoint: https only (Azure SDKs refuse bearer tokens over plain http), no path beyond the root. */
export function parseEndpoint(name: string, value: string): string {
  const endpoint = parseUrl(name, value, { httpsOnly: true });
  const url = new URL(endpoint);
  if (url.search || url.hash) throw new ConfigError(`${name} must not carry a query or fragment`, name);
  return endpoint;
}

export function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new ConfigError(`${name} must be a whole number of days, got ${describeValue(raw)}`, name);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`, name);
  return value;
}

export function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${describeValue(raw)}`, name);
}

export function parseCount(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be a whole number, got ${describeValue(raw)}`, name);
  const value = Number(raw.trim());
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`, name);
  return value;
}

export function parseList(env: Env, name: string, check: (item: string) => boolean, what: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!check(item)) throw new ConfigError(`${name}: ${describeValue(item)} is not ${what}`, name);
  }
  return [...new Set(items)];
}

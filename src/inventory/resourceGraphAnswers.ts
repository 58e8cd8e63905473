// What a Resource Graph answer says besides its rows: the quota headers, Retry-After, and the codes of a failed
// request (the specific one sits in the error's details). Pure: the reader decides what to do with them.
export interface ErrorLike {
  message?: string;
  statusCode?: number;
  code?: string;
  name?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

export class AbortedError extends Error {
  constructor() {
    super('the Resource Graph read was cancelled');
    this.name = 'AbortError';
  }
}

/** Parses `hh:mm:ss` (fractional seconds allowed) into milliseconds; undefined when it is not that. */
export function parseQuotaResetsAfter(value: string | undefined | null): number | undefined {
  if (!value) return undefined;
  const m = /^\s*(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$/.exec(value);
  if (!m) return undefined;
  return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000);
}

/** Parses Retry-After: delta seconds (possibly fractional) or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The ARM error code of a failed request and the codes of its `details` (Resource Graph puts the specific code, such
 * as TooManySubscriptionsUnderScope, in `error.details[].code` under a generic `BadRequest`).
 */
export function errorCodes(error: unknown): string[] {
  const e = error as ErrorLike & { details?: unknown };
  const codes: string[] = [];
  if (typeof e?.code === 'string') codes.push(e.code);
  const body = e?.details as { error?: { code?: unknown; details?: unknown } } | undefined;
  const inner = body?.error ?? (body as { code?: unknown; details?: unknown } | undefined);
  if (inner && typeof inner.code === 'string' && !codes.includes(inner.code)) codes.push(inner.code);
  if (inner && Array.isArray(inner.details)) {
    for (const d of inner.details) {
      const code = (d as { code?: unknown })?.code;
      if (typeof code === 'string' && !codes.includes(code)) codes.push(code);
    }
  }
  return codes;
}

export function errorText(error: unknown): string {
  const e = error as ErrorLike;
  const status = typeof e?.statusCode === 'number' ? `HTTP ${e.statusCode}` : (e?.code ?? e?.name ?? 'error');
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const codes = errorCodes(error).filter((c) => c !== e?.code);
  return `${status}: ${message.slice(0, 500)}${codes.length ? ` [${codes.join(', ')}]` : ''}`;
}

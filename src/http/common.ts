// What every HTTP handler shares: JSON errors `{error:{code,message}}`, bounded body reading, query validation, the
// dependencies built lazily from the settings (never at import time), and the mapping of unexpected errors to a 500
// without internals.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { createAzureClients, type AzureClients } from '../azure/clients';
import { ConfigError, loadSettings, type Settings } from '../config/settings';
import { FindingStore } from '../store/findingStore';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpDeps {
  settings: Settings;
  clients: AzureClients;
  store: FindingStore;
  now?: () => Date;
}

export type Handler = (request: HttpRequest, context: InvocationContext, deps?: HttpDeps) => Promise<HttpResponseInit>;

let defaults: HttpDeps | undefined;

/** The production dependencies, built from the app settings on first use. */
export function defaultHttpDeps(): HttpDeps {
  if (!defaults) {
    const settings = loadSettings();
    const clients = createAzureClients(settings);
    defaults = { settings, clients, store: new FindingStore(clients) };
  }
  return defaults;
}

/** A client error: the status, a stable code and a message naming what was wrong. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body, null, 2),
  };
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return jsonResponse(status, { error: { code, message } }, headers);
}

/** 202 for a run that is still running: the caller polls again after Retry-After. */
export function runningResponse(
  runId: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return jsonResponse(202, { runId, status: 'running', ...body }, { 'Retry-After': '30', ...headers });
}

/** An answer without a body (204). */
export function emptyResponse(status = 204): HttpResponseInit {
  return { status, headers: { ...BASE_HEADERS } };
}

export function textResponse(
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return { status, headers: { ...BASE_HEADERS, 'Content-Type': contentType, ...headers }, body };
}

/** Rejects a method the route does not serve (405 with Allow). */
export function requireMethod(request: HttpRequest, allowed: string[]): void {
  if (!allowed.includes(request.method.toUpperCase())) {
    throw new HttpError(
      405,
      'MethodNotAllowed',
      `${request.method.slice(0, 20)} is not supported here; use ${allowed.join(', ')}`,
      {
        Allow: allowed.join(', '),
      },
    );
  }
}

/**
 * Query parameters: rejects any not in `allowed` (the function key `code` is always allowed) and repeated single
 * values; returns the values by name.
 */
export function readQuery(request: HttpRequest, allowed: string[], repeatable: string[] = []): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [name, value] of request.query.entries()) {
    if (name === 'code') continue;
    if (!allowed.includes(name)) {
      throw new HttpError(
        400,
        'InvalidQueryParameter',
        `query parameter "${name.slice(0, 100)}" is not supported${allowed.length ? ` (supported: ${allowed.join(', ')})` : ''}`,
      );
    }
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  for (const [name, list] of values) {
    if (list.length > 1 && !repeatable.includes(name)) {
      throw new HttpError(400, 'InvalidQueryParameter', `query parameter "${name}" is given more than once`);
    }
    if (list.some((v) => v.length > 2000)) {
      throw new HttpError(400, 'InvalidQueryParameter', `query parameter "${name}" is longer than 2000 characters`);
    }
  }
  return values;
}

/**
 * Reads a body as a stream and stops once it is over `maxBytes`, so a body without (or with a false) Content-Length
 * is never held whole: the bytes, or 'tooLarge'.
 */
export async function readBodyBytes(request: HttpRequest, maxBytes: number): Promise<Buffer | 'tooLarge'> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return 'tooLarge';
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES: 413 when the Content-Length or the bytes actually read exceed it,
 * 415 for a non-JSON content type, 400 for invalid UTF-8 or JSON. An empty body is `undefined`.
 */
export async function readJsonBody(request: HttpRequest, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw new HttpError(413, 'PayloadTooLarge', `the body is over ${maxBytes} bytes`);
  }
  const type = request.headers.get('content-type');
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes === 'tooLarge') throw new HttpError(413, 'PayloadTooLarge', `the body is over ${maxBytes} bytes`);
  if (bytes.byteLength === 0) return undefined;
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `Content-Type must be application/json, not ${type.slice(0, 100)}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'InvalidBody', 'body: not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'InvalidBody', `body: not valid JSON (${(error as Error).message.slice(0, 200)})`);
  }
}

/**
 * Runs a handler body: HttpError -> its JSON error; a configuration error -> 500 naming the setting; anything else
 * -> a 500 with no internals (the message goes to the function log, never to the caller).
 */
export async function respond(
  context: InvocationContext,
  name: string,
  body: () => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.headers);
    if (error instanceof ConfigError) {
      context.error(`${name}: configuration error: ${error.message}`);
      return errorResponse(500, 'ConfigurationError', error.message);
    }
    context.error(`${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return errorResponse(500, 'InternalError', 'the request could not be completed; see the function log');
  }
}

/** Resolves the dependencies inside `respond`, so a configuration error becomes a JSON 500. */
export function resolveDeps(deps: HttpDeps | undefined): HttpDeps {
  return deps ?? defaultHttpDeps();
}

export const RUN_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
export const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The simulator's request/response model: plain data, so `$batch` can dispatch inner requests to the same handlers.
import type { EndpointName } from './faults';

export interface TokenClaims {
  aud: string;
  tid: string;
  /** The client application: `appid` in v1.0 tokens, `azp` in v2.0 tokens. */
  appid?: string;
  appidacr?: string;
  azp?: string;
  azpacr?: string;
  oid: string;
  sub?: string;
  iss: string;
  iat: number;
  nbf?: number;
  exp: number;
  /** `app` for client-credentials tokens, `user` for people. */
  idtyp?: 'app' | 'user';
  /** Application permissions / app roles; absent when none are granted. */
  roles?: string[];
  name?: string;
  upn?: string;
  preferred_username?: string;
  groups?: string[];
  scp?: string;
  ver?: '1.0' | '2.0';
}

export interface SimRequest {
  method: string;
  /** Decoded path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed JSON body; undefined when absent; `INVALID_JSON` when it did not parse. */
  body: unknown;
  claims?: TokenClaims;
  /** Set for requests dispatched from a Graph `$batch`. */
  inBatch?: boolean;
}

export const INVALID_JSON = Symbol('invalid JSON');

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (with `contentType`). */
  body?: unknown;
  contentType?: string;
  /** Never answer: the connection stays open until the client gives up (a firewall that drops packets). */
  hang?: boolean;
}

export type AuthKind = 'arm' | 'graph' | 'none';

export interface Route {
  endpoint: EndpointName;
  method: string;
  pattern: RegExp;
  auth: AuthKind;
  handler(req: SimRequest, match: RegExpExecArray): SimResponse | Promise<SimResponse>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return { status, body, headers };
}

export function armError(status: number, code: string, message: string, headers?: Record<string, string>): SimResponse {
  return json(status, { error: { code, message } }, headers);
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): SimResponse {
  const date = new Date().toISOString().slice(0, 19);
  return json(
    status,
    { error: { code, message, innerError: { date, 'request-id': cryptoId(), 'client-request-id': cryptoId() } } },
    headers,
  );
}

let idCounter = 0;
/** A request-id-looking GUID (not random: answers stay reproducible). */
export function cryptoId(): string {
  idCounter = (idCounter + 1) % 0xffffffff;
  const hex = idCounter.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

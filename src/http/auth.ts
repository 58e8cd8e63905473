// Entra ID bearer tokens on every HTTP route. A token is checked against the configured authority's OpenID
// configuration and signing keys (JWKS): the issuer is the tenant's, the audience is the API's client ID or
// application ID URI, the signature RS256 with a published key (`alg: none` and HMAC are refused, whatever the key),
// and `exp`/`nbf` hold. The caller's app roles (`roles`) then decide what it may do. The same code runs in Azure, in
// the demo and in tests; a function key alone grants nothing.
import type { HttpRequest } from '@azure/functions';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ConfigError, type Settings } from '../config/settings';
import { HttpError } from './common';

export const APP_ROLES = ['Reports.Read', 'Scans.Run', 'Exemptions.Write', 'Alerts.Send'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** Who called, from the validated token. */
export interface Caller {
  /** Object ID of the person or service principal. */
  oid: string;
  /** `user` for people, `app` for applications (client credentials). */
  kind: 'user' | 'app';
  /** UPN (or preferred_username) of a person. */
  upn?: string;
  name?: string;
  /** The client application (`azp` or `appid`). */
  appId?: string;
  roles: string[];
}

/** Tolerated clock difference for `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 60;
const DISCOVERY_TTL_MS = 24 * 60 * 60 * 1000;
const DISCOVERY_TIMEOUT_MS = 10_000;
/** After a failed discovery, requests are answered from the last good one, or 503, without refetching for this long. */
const DISCOVERY_RETRY_MS = 30_000;
/** Tenant names that stand for many tenants: a token's issuer can never be checked against them. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

interface Discovery {
  issuer: string;
  jwks: ReturnType<typeof createRemoteJWKSet>;
  fetchedAt: number;
}

/** Validates bearer tokens for one authority, tenant and API. */
export class TokenValidator {
  private discovery: Promise<Discovery> | undefined;
  private discoveredAt = 0;
  /** The last discovery that succeeded: kept through a failed refresh. */
  private good: Discovery | undefined;
  private failedAt = 0;

  constructor(
    readonly authorityHost: string,
    readonly tenantId: string,
    readonly audiences: string[],
  ) {}

  get realm(): string {
    return `${this.authorityHost}/${this.tenantId}`;
  }

  private async discover(): Promise<Discovery> {
    const url = `${this.authorityHost}/${encodeURIComponent(this.tenantId)}/v2.0/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`OpenID configuration: HTTP ${response.status} from ${url}`);
    const config = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof config.issuer !== 'string' || typeof config.jwks_uri !== 'string') {
      throw new Error(`OpenID configuration at ${url} has no issuer or jwks_uri`);
    }
    const jwksUri = new URL(config.jwks_uri);
    if (jwksUri.protocol !== 'https:') throw new Error(`OpenID configuration: jwks_uri is not https: ${jwksUri.href}`);
    return {
      // The common endpoints publish a templated issuer; a tenant's own configuration names the tenant.
      issuer: config.issuer.replace('{tenantid}', this.tenantId),
      // Keys are refetched only for an unknown `kid` (rate-limited by jose's cooldown), not on a timer, so an outage
      // of the key endpoint does not refuse tokens signed by keys already known.
      jwks: createRemoteJWKSet(jwksUri, { timeoutDuration: DISCOVERY_TIMEOUT_MS, cacheMaxAge: Infinity }),
      fetchedAt: Date.now(),
    };
  }

  private async current(): Promise<Discovery> {
    const now = Date.now();
    const stale = !this.discovery || now - this.discoveredAt > DISCOVERY_TTL_MS;
    if (stale && now - this.failedAt >= DISCOVERY_RETRY_MS) {
      this.discoveredAt = now;
      const pending = this.discover().then((found) => (this.good = found));
      this.discovery = pending;
      pending.catch(() => {
        // A failed refresh keeps the last good configuration; without one, requests get 503 until the retry time.
        this.failedAt = Date.now();
        if (this.discovery === pending) this.discovery = this.good ? Promise.resolve(this.good) : undefined;
      });
      return this.good ? pending.catch(() => this.good!) : pending;
    }
    if (this.discovery) return this.discovery;
    throw new Error('the OpenID configuration could not be read recently');
  }

  /** The validated claims, or 'invalid' with the reason (never the token itself). */
  async validate(token: string): Promise<{ ok: true; payload: JWTPayload } | { ok: false; reason: string }> {
    let discovery: Discovery;
    try {
      discovery = await this.current();
    } catch (error) {
      throw new HttpError(
        503,
        'TokenValidationUnavailable',
        `the signing keys of ${this.realm} could not be read (${(error as Error).message.slice(0, 200)}); try again later`,
        { 'Retry-After': '30' },
      );
    }
    try {
      const { payload } = await jwtVerify(token, discovery.jwks, {
        issuer: discovery.issuer,
        audience: this.audiences,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'iss', 'aud'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      // The token's tenant must be the issuer's (Entra signs both; checked so that neither is taken alone).
      const tid = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : undefined;
      if (tid !== undefined && !discovery.issuer.toLowerCase().includes(`/${tid}/`)) {
        return { ok: false, reason: "the token's tid is not the issuer's tenant" };
      }
      return { ok: true, payload };
    } catch (error) {
      // The key endpoint answering an error, garbage or nothing is an outage (503, retryable), not a bad token.
      if (keysUnreadable(error)) {
        throw new HttpError(
          503,
          'TokenValidationUnavailable',
          `the signing keys of ${this.realm} could not be read; try again later`,
          { 'Retry-After': '30' },
        );
      }
      return { ok: false, reason: describeJoseError(error) };
    }
  }
}

function keysUnreadable(error: unknown): boolean {
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return (
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    error.code === 'ERR_JOSE_GENERIC'
  );
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (error.claim === 'aud') return 'the token is for another audience';
    if (error.claim === 'iss') return 'the token is from another issuer';
    return `the token's ${error.claim} claim is not valid`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is not signed with RS256';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'the token is not signed by a key of the authority';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid)
    return 'the token is not a well-formed JWT';
  return 'the token is not valid';
}

const validators = new Map<string, TokenValidator>();

/** The validator for the configured authority, tenant and API (ConfigError naming what is missing). */
export function tokenValidatorFor(settings: Settings): TokenValidator {
  if (!settings.tenantId) {
    throw new ConfigError(
      'AZURE_TENANT_ID is not set: the HTTP functions accept bearer tokens of that tenant only',
      'AZURE_TENANT_ID',
    );
  }
  if (MULTI_TENANT.has(settings.tenantId.toLowerCase())) {
    throw new ConfigError(
      `AZURE_TENANT_ID is '${settings.tenantId}': the HTTP functions accept tokens of one tenant, so it must be that tenant's ID`,
      'AZURE_TENANT_ID',
    );
  }
  // v2 access tokens (the app registration sets requestedAccessTokenVersion 2) always carry the client ID as `aud`;
  // the application ID URI is accepted as well.
  if (!settings.apiClientId) {
    throw new ConfigError(
      "AKS_COMPLIANCE_API_CLIENT_ID is not set: the HTTP functions need the API app registration's client ID to check bearer tokens",
      'AKS_COMPLIANCE_API_CLIENT_ID',
    );
  }
  const audiences = [settings.apiClientId, settings.apiAudience].filter((a): a is string => !!a);
  const key = JSON.stringify([settings.authorityHost, settings.tenantId, audiences]);
  let validator = validators.get(key);
  if (!validator) {
    validator = new TokenValidator(settings.authorityHost, settings.tenantId, audiences);
    validators.set(key, validator);
  }
  return validator;
}

function challenge(validator: TokenValidator, error?: { code: string; description: string }): string {
  const quote = (s: string) => s.replace(/["\\\r\n]/g, ' ');
  const parts = [
    `Bearer realm="${quote(validator.audiences[0])}"`,
    `authorization_uri="${quote(`${validator.realm}/oauth2/v2.0/authorize`)}"`,
  ];
  if (error) parts.push(`error="${error.code}"`, `error_description="${quote(error.description)}"`);
  return parts.join(', ');
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Validates the request's bearer token: the caller, or HttpError 401 (with WWW-Authenticate). */
export async function authenticate(request: HttpRequest, settings: Settings): Promise<Caller> {
  const validator = tokenValidatorFor(settings);
  const header = request.headers.get('authorization');
  if (!header) {
    throw new HttpError(401, 'Unauthorized', 'a bearer token is required (Authorization: Bearer <token>)', {
      'WWW-Authenticate': challenge(validator),
    });
  }
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i.exec(header);
  const result = match && match[1].length <= 16_384 ? await validator.validate(match[1]) : undefined;
  if (!result || !result.ok) {
    const description = result ? result.reason : 'the Authorization header is not "Bearer <token>"';
    throw new HttpError(401, 'InvalidToken', `the bearer token was refused: ${description}`, {
      'WWW-Authenticate': challenge(validator, { code: 'invalid_token', description }),
    });
  }
  const p = result.payload as JWTPayload & Record<string, unknown>;
  const oid = asString(p.oid);
  if (!oid) {
    const description = 'the token has no oid claim';
    throw new HttpError(401, 'InvalidToken', `the bearer token was refused: ${description}`, {
      'WWW-Authenticate': challenge(validator, { code: 'invalid_token', description }),
    });
  }
  const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [];
  const isApp = p.idtyp === 'app' || (p.idtyp === undefined && p.scp === undefined);
  return {
    oid: oid.toLowerCase(),
    kind: isApp ? 'app' : 'user',
    upn: asString(p.upn) ?? asString(p.preferred_username),
    name: asString(p.name),
    appId: asString(p.azp) ?? asString(p.appid),
    roles,
  };
}

/** 403 naming the app role when the caller does not hold it. */
export function checkRole(caller: Caller, role: AppRole): void {
  if (!caller.roles.includes(role)) {
    throw new HttpError(
      403,
      'MissingAppRole',
      `the caller lacks the app role ${role} (assign it to one of the caller's Entra groups, or to the calling application)`,
      { 'WWW-Authenticate': `Bearer error="insufficient_scope", error_description="the app role ${role} is required"` },
    );
  }
}

/**
 * The check every HTTP handler makes first: a valid token (401 otherwise) carrying the app role (403 naming it
 * otherwise). Returns the caller.
 */
export async function requireRole(request: HttpRequest, role: AppRole, settings: Settings): Promise<Caller> {
  const caller = await authenticate(request, settings);
  checkRole(caller, role);
  return caller;
}

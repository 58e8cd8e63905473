// Sign-in: the OpenID configuration and the client-credentials token endpoint that @azure/identity (MSAL) uses with
// a custom authority host, and the bearer-token check every other endpoint applies. Tokens are HMAC-signed JWTs whose
// audience is the resource of the requested scope, so a token for Resource Manager is refused by Graph and vice versa.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { armError, graphError, json, type SimRequest, type SimResponse, type TokenClaims } from './http';

export interface AuthConfig {
  authority: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Object ID of the service principal (the `oid` claim). */
  objectId: string;
  tokenLifetimeSeconds: number;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function aadError(status: number, error: string, code: number, description: string): SimResponse {
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: '00000000-0000-0000-0000-000000000000',
    correlation_id: '00000000-0000-0000-0000-000000000000',
  });
}

export class Auth {
  private readonly key = randomBytes(32);

  constructor(readonly config: AuthConfig) {}

  private tenantMatches(tenant: string): boolean {
    return tenant.toLowerCase() === this.config.tenantId.toLowerCase();
  }

  openIdConfiguration(tenant: string): SimResponse {
    if (!this.tenantMatches(tenant)) {
      return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    }
    const base = `${this.config.authority}/${this.config.tenantId}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.config.authority}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
      tenant_region_scope: 'WW',
      cloud_instance_name: new URL(this.config.authority).host,
    });
  }

  token(tenant: string, req: SimRequest): SimResponse {
    if (!this.tenantMatches(tenant)) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    const form = new URLSearchParams(req.rawBody);
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers['authorization'] ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      return aadError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType ?? ''}'. The simulator signs in service principals with client credentials only.`,
      );
    }
    if (!clientId)
      return aadError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    if (clientId.toLowerCase() !== this.config.clientId.toLowerCase()) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.config.tenantId}'.`,
      );
    }
    if (!clientSecret || !safeEqual(clientSecret, this.config.clientSecret)) {
      return aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    const scope = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const resources = scope.filter((s) => !['openid', 'profile', 'offline_access'].includes(s));
    if (resources.length !== 1 || !resources[0].endsWith('/.default')) {
      return aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const audience = resources[0].slice(0, -'/.default'.length).replace(/\/+$/, '');
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: audience,
      iss: `${this.config.authority}/${this.config.tenantId}/v2.0`,
      tid: this.config.tenantId,
      appid: this.config.clientId,
      oid: this.config.objectId,
      iat: now,
      exp: now + this.config.tokenLifetimeSeconds,
    };
    return json(200, {
      token_type: 'Bearer',
      expires_in: this.config.tokenLifetimeSeconds,
      ext_expires_in: this.config.tokenLifetimeSeconds,
      access_token: this.sign(claims),
    });
  }

  private sign(claims: TokenClaims): string {
    const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  private verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest('base64url');
    if (!safeEqual(parts[2], expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
  }

  /** Checks the bearer token for a resource; returns the claims or the 401 the real service would send. */
  check(req: SimRequest, kind: 'arm' | 'graph', audience: string): { claims: TokenClaims } | { refused: SimResponse } {
    const header = req.headers['authorization'];
    const challenge = {
      'www-authenticate': `Bearer authorization_uri="${this.config.authority}/${this.config.tenantId}", error="invalid_token", error_description="The authentication failed"`,
    };
    const refuse = (armCode: string, armMessage: string, graphMessage: string): { refused: SimResponse } => ({
      refused:
        kind === 'arm'
          ? armError(401, armCode, armMessage, challenge)
          : graphError(401, 'InvalidAuthenticationToken', graphMessage, challenge),
    });
    if (!header) {
      return refuse(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        'Access token is empty.',
      );
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const claims = m ? this.verify(m[1]) : undefined;
    if (!claims) {
      return refuse('InvalidAuthenticationToken', 'The access token is invalid.', 'IDX14100: JWT is not well formed.');
    }
    if (claims.exp * 1000 < Date.now()) {
      return refuse(
        'ExpiredAuthenticationToken',
        'The access token expiry UTC time is earlier than current UTC time.',
        'Lifetime validation failed, the token is expired.',
      );
    }
    if (claims.aud.replace(/\/+$/, '') !== audience) {
      return refuse(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${claims.aud}'. It should exactly match with one of the allowed audiences '${audience}','${audience}/'.`,
        'Access token validation failure. Invalid audience.',
      );
    }
    return { claims };
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// Sign-in: the OpenID configuration, its JWKS and the client-credentials token endpoint that @azure/identity (MSAL)
// uses with a custom authority host, the bearer-token check every other endpoint applies, and user sign-in for the
// demo and tests. Tokens are RS256-signed JWTs (key published at the configuration's `jwks_uri` with its `kid`)
// whose audience is the resource of the requested scope, so a token for Resource Manager is refused by Graph and vice
// versa. `roles` come from the grants table: application permissions and app roles granted to a client, and app roles
// assigned to the groups a person belongs to (Entra ID puts those into the token's `roles`).
import { createHash, generateKeyPairSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { armError, graphError, json, type SimRequest, type SimResponse, type TokenClaims } from './http';

/** The resources the simulated tenant issues tokens for. */
export type ResourceName = 'arm' | 'graph' | 'api' | 'aks';

/** The AKS server application (Entra ID integration): in-cluster calls use a token for it. */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** The product's own API app registration in the simulated tenant. */
export const SIM_API_CLIENT_ID = '7c2e5b1a-4f3d-4e8a-9b6c-1d0e2f3a4b5c';
export const API_APP_ROLES = ['Reports.Read', 'Scans.Run', 'Exemptions.Write', 'Alerts.Send'] as const;

/** Groups of the demo tenant holding the API's app roles (assigned to groups, never to single users). */
export const DEMO_GROUPS = {
  readers: { id: '3b8f1c2d-6a4e-4f70-9e21-0c5d7a8b9e10', displayName: 'aks-compliance-readers', role: 'Reports.Read' },
  operators: { id: '4c9a2d3e-7b5f-4a81-8f32-1d6e8b9c0f21', displayName: 'aks-compliance-operators', role: 'Scans.Run' },
  approvers: {
    id: '5dab3e4f-8c6a-4b92-9a43-2e7f9c0d1a32',
    displayName: 'aks-compliance-exemption-approvers',
    role: 'Exemptions.Write',
  },
} as const;

/** The demo's signed-in person: a member of the three demo groups. */
export const DEMO_USER = {
  oid: '6ebc4f5a-9d7b-4ca3-8b54-3f8a0d1e2b43',
  upn: 'alex.demo@contoso.com',
  name: 'Alex Demo',
  groups: [DEMO_GROUPS.readers.id, DEMO_GROUPS.operators.id, DEMO_GROUPS.approvers.id],
};

/** Public client that signs people in for a command line (the Azure CLI's application ID). */
const USER_SIGN_IN_CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

export interface Grants {
  /** Application permissions and app roles granted to a client application: client ID -> resource -> roles. */
  applications: Record<string, Partial<Record<ResourceName, string[]>>>;
  /** App roles assigned to groups: resource -> group object ID -> roles. */
  groups: Partial<Record<ResourceName, Record<string, string[]>>>;
}

export interface AuthConfig {
  authority: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Object ID of the service principal (the `oid` claim). */
  objectId: string;
  tokenLifetimeSeconds: number;
  /** Audiences of the Azure resources. */
  armAudience: string;
  graphAudience: string;
  /** The product's API: its client ID and application ID URIs. */
  api: { clientId: string; identifierUris: string[] };
  grants: Grants;
}

/** The default grants: the scanner's Graph permissions and its `Alerts.Send`, the demo groups' app roles. */
export function defaultGrants(scannerClientId: string): Grants {
  return {
    applications: {
      [scannerClientId.toLowerCase()]: { graph: ['Directory.Read.All', 'Mail.Send'], api: ['Alerts.Send'] },
    },
    groups: {
      api: Object.fromEntries(Object.values(DEMO_GROUPS).map((g) => [g.id, [g.role]])),
    },
  };
}

export interface UserSignIn {
  oid: string;
  /** The user principal name (`upn`, also `preferred_username`). */
  upn?: string;
  name?: string;
  /** Object IDs of the groups the person belongs to (transitively). */
  groups?: string[];
  /** Default: the product's API. */
  resource?: ResourceName;
  /** Default: the configured token lifetime. */
  lifetimeSeconds?: number;
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

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class Auth {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** Key ID: a thumbprint of the public key, as Entra's `kid` values are thumbprints. */
  readonly kid: string;

  constructor(readonly config: AuthConfig) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = createHash('sha256')
      .update(pair.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url')
      .slice(0, 27);
  }

  get issuer(): string {
    return `${this.config.authority}/${this.config.tenantId}/v2.0`;
  }

  /**
   * Other tenants of the simulated world (Azure Lighthouse customers), lower case, and whether the scanner's
   * multi-tenant application is consented in each (then it can sign in there with its own client credentials).
   */
  private readonly otherTenants = new Map<string, { consented: boolean }>();

  setOtherTenants(tenants: { tenantId: string; consented: boolean }[]): void {
    this.otherTenants.clear();
    for (const t of tenants) this.otherTenants.set(t.tenantId.toLowerCase(), { consented: t.consented });
  }

  /** The tenant ID as this authority spells it, or undefined for a tenant it does not know. */
  private knownTenant(tenant: string): string | undefined {
    const key = tenant.toLowerCase();
    if (key === this.config.tenantId.toLowerCase()) return this.config.tenantId;
    return this.otherTenants.has(key) ? key : undefined;
  }

  private tenantMatches(tenant: string): boolean {
    return this.knownTenant(tenant) !== undefined;
  }

  openIdConfiguration(tenant: string): SimResponse {
    const known = this.knownTenant(tenant);
    if (!known) {
      return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    }
    const base = `${this.config.authority}/${known}`;
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

  /** The signing keys (`jwks_uri`): the public key as a JWK with its `kid`, as Entra ID publishes them. */
  keys(tenant: string): SimResponse {
    if (!this.tenantMatches(tenant)) {
      return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    }
    const jwk = this.publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
    return json(200, {
      keys: [{ kty: jwk.kty, use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, issuer: this.issuer }],
    });
  }

  /** The resource named by a scope's resource identifier, with the `aud` its tokens carry. */
  private resource(identifier: string): { name: ResourceName; aud: string } | undefined {
    const id = identifier.replace(/\/+$/, '').toLowerCase();
    if (id === this.config.armAudience.toLowerCase()) return { name: 'arm', aud: this.config.armAudience };
    if (id === this.config.graphAudience.toLowerCase()) return { name: 'graph', aud: this.config.graphAudience };
    const api = this.config.api;
    if (id === api.clientId.toLowerCase() || api.identifierUris.some((u) => u.toLowerCase() === id)) {
      // The API accepts v2.0 tokens (requestedAccessTokenVersion 2): their `aud` is the client ID.
      return { name: 'api', aud: api.clientId };
    }
    if (id === AKS_SERVER_APP_ID) return { name: 'aks', aud: AKS_SERVER_APP_ID };
    return undefined;
  }

  /** The roles granted to a client application for a resource (none: no `roles` claim, as Entra ID omits it). */
  applicationRoles(clientId: string, resource: ResourceName): string[] {
    return [...(this.config.grants.applications[clientId.toLowerCase()]?.[resource] ?? [])];
  }

  /** Replaces the roles a client application holds for a resource. */
  setApplicationRoles(clientId: string, resource: ResourceName, roles: string[]): void {
    const key = clientId.toLowerCase();
    this.config.grants.applications[key] = { ...(this.config.grants.applications[key] ?? {}), [resource]: [...roles] };
  }

  /** Replaces the app roles assigned to a group for a resource. */
  setGroupRoles(groupId: string, resource: ResourceName, roles: string[]): void {
    const table = (this.config.grants.groups[resource] ??= {});
    table[groupId.toLowerCase()] = [...roles];
  }

  private groupRoles(groups: string[], resource: ResourceName): string[] {
    const table = this.config.grants.groups[resource] ?? {};
    const lower = Object.fromEntries(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
    return [...new Set(groups.flatMap((g) => lower[g.toLowerCase()] ?? []))].sort();
  }

  token(tenant: string, req: SimRequest): SimResponse {
    const signInTenant = this.knownTenant(tenant);
    if (!signInTenant) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    const home = signInTenant === this.config.tenantId;
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
    // In another tenant the application exists only where it was consented (a multi-tenant app's service principal).
    if (
      clientId.toLowerCase() !== this.config.clientId.toLowerCase() ||
      (!home && !this.otherTenants.get(signInTenant)?.consented)
    ) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${signInTenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
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
    const identifier = resources[0].slice(0, -'/.default'.length);
    const resource = this.resource(identifier);
    if (!resource) {
      return aadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${identifier} was not found in the tenant named ${this.config.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const roles = this.applicationRoles(this.config.clientId, resource.name);
    const v2 = resource.name === 'api';
    // The application's service principal differs per tenant: its object ID there.
    const objectId = home ? this.config.objectId : servicePrincipalIn(signInTenant, this.config.clientId);
    const claims: TokenClaims = {
      aud: resource.aud,
      iss: `${this.config.authority}/${signInTenant}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + this.config.tokenLifetimeSeconds,
      tid: signInTenant,
      ...(v2 ? { azp: this.config.clientId, azpacr: '1' } : { appid: this.config.clientId, appidacr: '1' }),
      oid: objectId,
      sub: objectId,
      idtyp: 'app',
      ...(roles.length > 0 ? { roles } : {}),
      ver: v2 ? '2.0' : '1.0',
    };
    return json(200, {
      token_type: 'Bearer',
      expires_in: this.config.tokenLifetimeSeconds,
      ext_expires_in: this.config.tokenLifetimeSeconds,
      access_token: this.sign({ ...claims }),
    });
  }

  /**
   * A person's access token as Entra ID issues it after an interactive sign-in (v2.0, delegated scope
   * `user_impersonation`): `roles` holds the app roles assigned to the person's groups for that resource.
   * Simulator only: the interactive flows (browser, device code) are not simulated.
   */
  userToken(user: UserSignIn): string {
    const resourceName = user.resource ?? 'api';
    const resource =
      resourceName === 'api'
        ? this.resource(this.config.api.clientId)!
        : resourceName === 'arm'
          ? this.resource(this.config.armAudience)!
          : resourceName === 'graph'
            ? this.resource(this.config.graphAudience)!
            : this.resource(AKS_SERVER_APP_ID)!;
    const now = Math.floor(Date.now() / 1000);
    const groups = user.groups ?? [];
    const roles = this.groupRoles(groups, resource.name);
    const claims: TokenClaims = {
      aud: resource.aud,
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + (user.lifetimeSeconds ?? this.config.tokenLifetimeSeconds),
      tid: this.config.tenantId,
      azp: USER_SIGN_IN_CLIENT,
      azpacr: '0',
      oid: user.oid,
      sub: b64url(createHash('sha256').update(`${user.oid}|${resource.aud}`).digest()).slice(0, 43),
      idtyp: 'user',
      ...(user.name !== undefined ? { name: user.name } : {}),
      ...(user.upn !== undefined ? { preferred_username: user.upn, upn: user.upn } : {}),
      ...(groups.length > 0 ? { groups: [...groups] } : {}),
      ...(roles.length > 0 ? { roles } : {}),
      scp: 'user_impersonation',
      ver: '2.0',
    };
    return this.sign({ ...claims });
  }

  /**
   * Signs any claims with the simulator's key (RS256, its `kid`): for tests of token validation that need a token
   * the authority really signed but that is wrong in one way (expired, another audience or issuer).
   */
  sign(claims: Record<string, unknown>): string {
    const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), this.privateKey).toString('base64url');
    return `${head}.${body}.${sig}`;
  }

  /** The public key in PEM (a test signs an HS256 token with it, as an attacker would). */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  private verifyToken(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as {
        alg?: unknown;
        kid?: unknown;
      };
      // RS256 with our key only: `none`, HMAC and unknown keys are refused.
      if (header.alg !== 'RS256' || header.kid !== this.kid) return undefined;
      const ok = verify(
        'sha256',
        Buffer.from(`${parts[0]}.${parts[1]}`),
        this.publicKey,
        Buffer.from(parts[2], 'base64url'),
      );
      if (!ok) return undefined;
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
      return typeof claims === 'object' && claims !== null ? claims : undefined;
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
    const claims = m ? this.verifyToken(m[1]) : undefined;
    if (!claims) {
      return refuse('InvalidAuthenticationToken', 'The access token is invalid.', 'IDX14100: JWT is not well formed.');
    }
    const now = Date.now();
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < now) {
      return refuse(
        'ExpiredAuthenticationToken',
        'The access token expiry UTC time is earlier than current UTC time.',
        'Lifetime validation failed, the token is expired.',
      );
    }
    if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now + 300_000) {
      return refuse(
        'InvalidAuthenticationToken',
        'The access token is not yet valid.',
        'Lifetime validation failed, the token is not yet valid.',
      );
    }
    if (typeof claims.aud !== 'string' || claims.aud.replace(/\/+$/, '') !== audience) {
      return refuse(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${String(claims.aud)}'. It should exactly match with one of the allowed audiences '${audience}','${audience}/'.`,
        'Access token validation failure. Invalid audience.',
      );
    }
    return { claims };
  }
}

/** A stable object ID for an application's service principal in another tenant. */
function servicePrincipalIn(tenantId: string, clientId: string): string {
  const hex = createHash('sha256').update(`${tenantId}|${clientId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

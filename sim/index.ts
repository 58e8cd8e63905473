// The local Azure simulator: one HTTPS server on 127.0.0.1 answering sign-in, Resource Graph, the AKS resource
// provider, Microsoft Graph and a Teams Workflows webhook from fleet data, faithful to the wire behaviour the product
// depends on (see azure-wire-facts.md). Resource Manager is served at https://127.0.0.1:PORT and Graph at
// https://localhost:PORT, so a token minted for one is refused by the other, as in Azure.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AksSim, unservedApiVersion } from './aks';
import { Auth, defaultGrants, SIM_API_CLIENT_ID, type Grants, type ResourceName, type UserSignIn } from './auth';
import { KubeSim, kubeStatus } from './kube';
import { simulatorCertificates } from './certs';
import { Counters, Faults, type EndpointName, type FaultSpec } from './faults';
import type { Fleet } from './fleet/types';
import { GraphSim, GRAPH_LIMITS, type CapturedMail } from './graph';
import {
  armError,
  cryptoId,
  graphError,
  INVALID_JSON,
  json,
  type AuthKind,
  type Route,
  type SimRequest,
  type SimResponse,
} from './http';
import { rateLimited, ResourceGraphSim, type QuotaOptions } from './resourceGraph';

export type { EndpointName, FaultSpec, FaultKind } from './faults';
export type { CapturedMail } from './graph';
export type { Grants, ResourceName, UserSignIn } from './auth';
export { AKS_SERVER_APP_ID, API_APP_ROLES, DEMO_GROUPS, DEMO_USER } from './auth';

export interface SimulatorOptions {
  /** Seed of every random choice (fault rates, answer order). Default 1. */
  seed?: number;
  /** Resource Graph per-caller quota; default 15 queries per 5 s. */
  quota?: Partial<QuotaOptions>;
  tokenLifetimeSeconds?: number;
  /** Service principal the simulator accepts (generated when absent). */
  clientId?: string;
  clientSecret?: string;
  /** Listen on this port (0 or absent = a free port). */
  port?: number;
  /**
   * Subscriptions a Resource Graph management-group scope covers before it answers TooManySubscriptionsUnderScope
   * (Azure: 10,000). Lower it to meet that case with a small fleet.
   */
  maxManagementGroupSubscriptions?: number;
  /** The Microsoft.ContainerService api-versions served (default AKS_SERVED_API_VERSIONS, those of the examples). */
  aksApiVersions?: string[];
  /**
   * Roles in tokens (default: the scanner's Graph token carries Directory.Read.All and Mail.Send, its token for the
   * product's API Alerts.Send; the demo groups hold Reports.Read, Scans.Run and Exemptions.Write).
   */
  grants?: Grants;
}

/** Sign-in beyond client credentials: people's tokens and the simulator's signing key (see sim/BEHAVIOUR.md). */
export interface SimulatorSignIn {
  /** The product's API app registration. */
  api: { clientId: string; applicationIdUri: string };
  issuer: string;
  jwksUri: string;
  /** A person's token for a resource (default the product's API); `roles` from the app roles of their groups. */
  userToken(user: UserSignIn): string;
  /** Signs any claims with the simulator's key (RS256 with its kid), for tests of token validation. */
  sign(claims: Record<string, unknown>): string;
  publicKeyPem(): string;
  /** Replaces the roles a client application holds for a resource (e.g. only `User.Read.All` on Graph). */
  setApplicationRoles(clientId: string, resource: ResourceName, roles: string[]): void;
  /** Replaces the app roles assigned to a group for a resource. */
  setGroupRoles(groupId: string, resource: ResourceName, roles: string[]): void;
}

export interface Simulator {
  /** Base URL (Resource Manager and sign-in). */
  url: string;
  armEndpoint: string;
  graphEndpoint: string;
  authorityHost: string;
  /** Teams Workflows webhook sink. */
  teamsWebhookUrl: string;
  port: number;
  caPem: string;
  /** The CA in a file, for NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** Settings environment that points the product at this simulator. */
  env: Record<string, string>;
  counters: Counters;
  faults: { set(endpoint: EndpointName, spec: FaultSpec): void; clear(endpoint?: EndpointName): void };
  captured: { teams: unknown[]; mail: CapturedMail[] };
  signIn: SimulatorSignIn;
  setFleet(fleet: Fleet): void;
  /** The Microsoft.ContainerService api-versions served from now on (undefined: the default list). */
  setAksApiVersions(versions: string[] | undefined): void;
  /** Starts every caller's Resource Graph quota window afresh. */
  resetQuota(): void;
  stop(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;
const TEAMS_MAX_BYTES = 28 * 1024;

/** The other tenants of a fleet, as sign-in knows them. */
function otherTenantsOf(fleet: Fleet): { tenantId: string; consented: boolean }[] {
  return (fleet.otherTenants ?? []).map((t) => ({ tenantId: t.tenantId, consented: t.scannerConsented === true }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lowerHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function parseBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return INVALID_JSON;
  }
}

const SUB = '([^/]+)';
const RG_CLUSTER = `^/subscriptions/${SUB}/resourcegroups/${SUB}/providers/microsoft\\.containerservice/managedclusters/${SUB}`;

export async function startSimulator(fleet: Fleet, options: SimulatorOptions = {}): Promise<Simulator> {
  const certs = simulatorCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'aks-compliance-sim-'));
  const caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, certs.caPem);

  const seed = options.seed ?? 1;
  const faults = new Faults(seed);
  const counters = new Counters();
  const captured = { teams: [] as unknown[], mail: [] as CapturedMail[] };
  const quota: QuotaOptions = { limit: options.quota?.limit ?? 15, windowMs: options.quota?.windowMs ?? 5000 };
  const resourceGraph = new ResourceGraphSim(fleet, faults, quota, options.maxManagementGroupSubscriptions);
  const aks = new AksSim(fleet, faults);
  const graph = new GraphSim(fleet, faults, captured.mail);
  let aksApiVersions = options.aksApiVersions;
  // Set once the listener's port is known; the kubeconfigs name it.
  let kubeServer = { url: '', caPem: certs.caPem, tenantId: fleet.tenantId };
  const kube = new KubeSim(fleet, () => kubeServer);
  const clientId = options.clientId ?? '5a1d3c2e-9f7b-4e61-8d2a-0c4b6e8f1a3d';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');

  const server = https.createServer({ key: certs.keyPem, cert: certs.certPem });
  // Long idle timeout: clients keep connections alive and must not race the server closing them.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const armEndpoint = `https://127.0.0.1:${port}`;
  const graphEndpoint = `https://localhost:${port}`;
  const authorityHost = `https://127.0.0.1:${port}`;
  let tenantId = fleet.tenantId;
  const apiIdentifierUri = `api://${SIM_API_CLIENT_ID}`;
  kubeServer = { url: armEndpoint, caPem: certs.caPem, tenantId };
  const auth = new Auth({
    authority: authorityHost,
    tenantId,
    clientId,
    clientSecret,
    objectId: '0f3c6b8e-2d4a-4c1e-9b7f-5a6d8e9c0b1a',
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    armAudience: armEndpoint,
    graphAudience: graphEndpoint,
    api: { clientId: SIM_API_CLIENT_ID, identifierUris: [apiIdentifierUri] },
    grants: structuredClone(options.grants ?? defaultGrants(clientId)),
  });
  auth.setOtherTenants(otherTenantsOf(fleet));

  const arm = (endpoint: EndpointName, method: string, pattern: string, handler: Route['handler']): Route => ({
    endpoint,
    method,
    pattern: new RegExp(pattern, 'i'),
    auth: 'arm',
    handler,
  });
  const g = (endpoint: EndpointName, method: string, pattern: string, handler: Route['handler']): Route => ({
    endpoint,
    method,
    pattern: new RegExp(`^/v1\\.0${pattern}$`, 'i'),
    auth: 'graph',
    handler,
  });

  const routes: Route[] = [
    {
      endpoint: 'openidConfiguration',
      method: 'GET',
      pattern: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/i,
      auth: 'none',
      handler: (_req, m) => auth.openIdConfiguration(m[1]),
    },
    {
      endpoint: 'jwks',
      method: 'GET',
      pattern: /^\/([^/]+)\/discovery\/v2\.0\/keys$/i,
      auth: 'none',
      handler: (_req, m) => auth.keys(m[1]),
    },
    {
      endpoint: 'token',
      method: 'POST',
      pattern: /^\/([^/]+)\/oauth2\/v2\.0\/token$/i,
      auth: 'none',
      handler: (req, m) => auth.token(m[1], req),
    },
    arm('resourceGraph', 'POST', '^/providers/microsoft\\.resourcegraph/resources$', (req) =>
      resourceGraph.handle(req),
    ),
    arm(
      'kubernetesVersions',
      'GET',
      `^/subscriptions/${SUB}/providers/microsoft\\.containerservice/locations/${SUB}/kubernetesversions$`,
      (req, m) => aks.kubernetesVersions(req, m[1], m[2]),
    ),
    arm(
      'managedClusters',
      'GET',
      `^/subscriptions/${SUB}/providers/microsoft\\.containerservice/managedclusters$`,
      (req, m) => aks.listClusters(req, m[1]),
    ),
    arm(
      'managedClusters',
      'GET',
      `^/subscriptions/${SUB}/resourcegroups/${SUB}/providers/microsoft\\.containerservice/managedclusters$`,
      (req, m) => aks.listClusters(req, m[1], m[2]),
    ),
    arm('managedClusters', 'GET', `${RG_CLUSTER}$`, (req, m) => aks.getCluster(req, m[1], m[2], m[3])),
    arm('upgradeProfiles', 'GET', `${RG_CLUSTER}/upgradeprofiles/default$`, (req, m) =>
      aks.clusterUpgradeProfile(req, m[1], m[2], m[3]),
    ),
    arm('upgradeProfiles', 'GET', `${RG_CLUSTER}/agentpools/${SUB}/upgradeprofiles/default$`, (req, m) =>
      aks.agentPoolUpgradeProfile(req, m[1], m[2], m[3], m[4]),
    ),
    arm('listClusterUserCredential', 'POST', `${RG_CLUSTER}/listclusterusercredential$`, (req, m) =>
      aks.withCluster('listClusterUserCredential', req, m[1], m[2], m[3], (cluster) =>
        kube.listClusterUserCredential(req, cluster, m[2]),
      ),
    ),
    {
      endpoint: 'kube',
      method: 'GET',
      pattern: /^\/k8s\/([0-9a-f]{16})(\/.*)$/,
      // The API server checks the token itself: its audience is the AKS Entra ID server application.
      auth: 'none',
      handler: (req, m) =>
        kube.handle(req, m[1], m[2], (audience) => {
          const checked = auth.check(req, 'arm', audience);
          return 'refused' in checked ? { ok: false, message: 'Unauthorized' } : { ok: true, oid: checked.claims.oid };
        }),
    },
    g('graph.getByIds', 'POST', '/directoryobjects/getbyids', (req) => graph.getByIds(req)),
    g('graph.batch', 'POST', '/\\$batch', (req) => batch(req)),
    g('graph.memberCount', 'GET', '/groups/([^/]+)/transitivemembers/\\$count', (req, m) =>
      graph.memberCount(req, m[1]),
    ),
    g('graph.sendMail', 'POST', '/users/([^/]+)/sendmail', (req, m) => graph.sendMail(req, m[1])),
    {
      endpoint: 'teams',
      method: 'POST',
      pattern: /^\/teams\/webhook\/[^?]+$/,
      auth: 'none',
      handler: (req) => teams(req),
    },
  ];

  function teams(req: SimRequest): SimResponse {
    const bad = (message: string): SimResponse => json(400, { error: { code: 'BadRequest', message } });
    if (Buffer.byteLength(req.rawBody, 'utf8') > TEAMS_MAX_BYTES) {
      return bad(
        `The message is ${Buffer.byteLength(req.rawBody, 'utf8')} bytes; the limit is ${TEAMS_MAX_BYTES} bytes (28 KB).`,
      );
    }
    const body = req.body as Record<string, unknown> | undefined;
    if (body === undefined || (body as unknown) === INVALID_JSON || typeof body !== 'object' || body === null) {
      return bad('The request body is not JSON.');
    }
    if (body.type !== 'message' || !Array.isArray(body.attachments) || body.attachments.length === 0) {
      return bad('Expected {"type":"message","attachments":[...]} with at least one attachment.');
    }
    for (const a of body.attachments as Record<string, unknown>[]) {
      const content = (a?.content ?? {}) as Record<string, unknown>;
      if (a?.contentType !== 'application/vnd.microsoft.card.adaptive' || content.type !== 'AdaptiveCard') {
        return bad('Every attachment must be an Adaptive Card (contentType application/vnd.microsoft.card.adaptive).');
      }
      const version = typeof content.version === 'string' ? content.version : '';
      const [major, minor] = version.split('.').map(Number);
      if (!(major === 1 && minor >= 0 && minor <= 4)) {
        return bad(`Adaptive Card version "${version}" is not supported by Teams webhooks; use 1.4 or lower.`);
      }
      if (!Array.isArray(content.body)) return bad('The Adaptive Card has no "body" array.');
    }
    captured.teams.push(body);
    return { status: 202 };
  }

  async function batch(req: SimRequest): Promise<SimResponse> {
    const body = req.body as { requests?: unknown } | undefined;
    if (!body || (body as unknown) === INVALID_JSON || !Array.isArray(body.requests)) {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    }
    const requests = body.requests as Record<string, unknown>[];
    if (requests.length > GRAPH_LIMITS.MAX_BATCH) {
      return graphError(
        400,
        'BadRequest',
        `Invalid batch payload format: the number of requests (${requests.length}) exceeds the limit of ${GRAPH_LIMITS.MAX_BATCH}.`,
      );
    }
    const ids = new Set<string>();
    for (const r of requests) {
      if (typeof r?.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') {
        return graphError(
          400,
          'BadRequest',
          'Invalid batch payload format: every request needs string id, method and url.',
        );
      }
      if (ids.has(r.id))
        return graphError(400, 'BadRequest', `Invalid batch payload format: duplicate request id '${r.id}'.`);
      ids.add(r.id);
    }
    const responses = await Promise.all(
      requests.map(async (r) => {
        const url = new URL(`https://graph${'/v1.0'}${String(r.url).startsWith('/') ? '' : '/'}${String(r.url)}`);
        const innerBody = r.body;
        const inner: SimRequest = {
          method: String(r.method).toUpperCase(),
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: lowerHeaders((r.headers ?? {}) as Record<string, unknown>),
          rawBody: innerBody === undefined ? '' : JSON.stringify(innerBody),
          body: innerBody,
          claims: req.claims,
          inBatch: true,
        };
        const answer = await serve(inner);
        const res: SimResponse =
          answer === 'drop' ? graphError(504, 'GatewayTimeout', 'The request timed out.') : answer.response;
        // Inner answers are counted like top-level ones (a throttled $batch item shows as `graph.memberCount 429`).
        if (answer !== 'drop' && answer.endpoint) counters.status(answer.endpoint, res.status);
        const headers: Record<string, string> = { ...(res.headers ?? {}) };
        if (res.body !== undefined) headers['Content-Type'] = res.contentType ?? 'application/json';
        return { id: r.id, status: res.status, headers, ...(res.body !== undefined ? { body: res.body } : {}) };
      }),
    );
    const rng = faults.rng('graph.batch');
    for (let i = responses.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [responses[i], responses[j]] = [responses[j], responses[i]];
    }
    return json(200, { responses });
  }

  function unknownPath(req: SimRequest): SimResponse {
    if (/^\/v1\.0\/me(\/|$)/i.test(req.path)) {
      return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    }
    if (/^\/(v1\.0|beta)\//i.test(req.path)) {
      const segment = req.path.split('/')[2] ?? '';
      return graphError(
        400,
        'BadRequest',
        `Resource not found for the segment '${segment}'. (The simulator does not serve ${req.method} ${req.path}.)`,
      );
    }
    return armError(404, 'NotFound', `The simulator does not serve ${req.method} ${req.path}.`);
  }

  function faultResponse(
    endpoint: EndpointName,
    kind: 'throttle' | 'error' | 'forbidden',
    auth: AuthKind,
    spec?: FaultSpec,
  ): SimResponse {
    const retryAfter = String(spec?.retryAfterSeconds ?? 1);
    const isGraph = auth === 'graph';
    if (endpoint === 'kube') {
      if (kind === 'throttle') {
        return {
          ...kubeStatus(429, 'TooManyRequests', 'Too many requests, please try again later.'),
          headers: { 'retry-after': retryAfter },
        };
      }
      if (kind === 'error')
        return kubeStatus(
          spec?.errorStatus ?? 503,
          'ServiceUnavailable',
          'the server is currently unable to handle the request',
        );
      return kubeStatus(403, 'Forbidden', 'forbidden');
    }
    if (kind === 'throttle') {
      if (endpoint === 'resourceGraph') return rateLimited({ 'retry-after': retryAfter });
      if (isGraph) {
        return json(
          429,
          {
            error: {
              code: 'TooManyRequests',
              innerError: {
                code: '429',
                date: new Date().toISOString().slice(0, 19),
                message: 'Please retry after',
                'request-id': cryptoId(),
                status: '429',
              },
              message: 'Please retry again later.',
            },
          },
          { 'retry-after': retryAfter },
        );
      }
      return armError(429, 'TooManyRequests', 'The request is being throttled.', { 'retry-after': retryAfter });
    }
    if (kind === 'error') {
      const status = spec?.errorStatus ?? 503;
      return isGraph
        ? graphError(status, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry.', {
            'retry-after': retryAfter,
          })
        : armError(
            status,
            status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
            'The service is temporarily unavailable.',
          );
    }
    return isGraph
      ? graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.')
      : armError(403, 'AuthorizationFailed', 'The client does not have authorization to perform this action.');
  }

  /** Routing, auth, quota and faults for one request (also for the inner requests of a Graph $batch). */
  async function serve(req: SimRequest): Promise<{ endpoint?: EndpointName; response: SimResponse } | 'drop'> {
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of routes) {
      match = r.pattern.exec(req.path);
      if (match && r.method === req.method) {
        route = r;
        break;
      }
    }
    if (!route || !match) {
      // Azure authenticates before it resolves a path: an unknown path without a valid token is a 401 too.
      const kind = /^\/(v1\.0|beta)(\/|$)/i.test(req.path)
        ? 'graph'
        : /^\/(subscriptions|providers)(\/|$)/i.test(req.path)
          ? 'arm'
          : undefined;
      if (kind && !req.inBatch) {
        const checked = auth.check(req, kind, kind === 'arm' ? armEndpoint : graphEndpoint);
        if ('refused' in checked) return { response: checked.refused };
      }
      return { response: unknownPath(req) };
    }
    const endpoint = route.endpoint;
    counters.hit(endpoint);

    if (route.auth !== 'none' && !req.inBatch) {
      const audience = route.auth === 'arm' ? armEndpoint : graphEndpoint;
      const checked = auth.check(req, route.auth, audience);
      if ('refused' in checked) return { endpoint, response: checked.refused };
      req.claims = checked.claims;
    }
    if (route.auth === 'arm' && !req.query.get('api-version')) {
      return {
        endpoint,
        response: armError(
          400,
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        ),
      };
    }

    if (route.auth === 'arm' && /\/providers\/microsoft\.containerservice\//i.test(req.path)) {
      const refused = unservedApiVersion(req.query.get('api-version') ?? '', aksApiVersions);
      if (refused) return { endpoint, response: refused };
    }

    let extraHeaders: Record<string, string> = {};
    if (endpoint === 'resourceGraph') {
      const caller = req.claims?.oid ?? 'anonymous';
      const taken = resourceGraph.takeQuota(caller);
      if (taken.throttled) return { endpoint, response: taken.throttled };
      extraHeaders = taken.headers;
    }

    const spec = faults.get(endpoint);
    if (spec?.latencyMs) await sleep(spec.latencyMs);
    const decision = faults.decide(endpoint);
    if (decision.kind === 'drop') return 'drop';
    if (decision.kind === 'throttle' || decision.kind === 'error' || decision.kind === 'forbidden') {
      const res = faultResponse(endpoint, decision.kind, route.auth, spec);
      return { endpoint, response: { ...res, headers: { ...extraHeaders, ...(res.headers ?? {}) } } };
    }
    const response = await route.handler(req, match);
    response.headers = { ...extraHeaders, ...(response.headers ?? {}) };
    if (decision.kind === 'malformed' && response.body !== undefined) {
      const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      response.body = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      response.contentType = response.contentType ?? 'application/json; charset=utf-8';
    }
    return { endpoint, response };
  }

  async function onRequest(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        send(res, json(413, { error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } }));
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', armEndpoint);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const headers = lowerHeaders(incoming.headers as Record<string, unknown>);
    const isForm = (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    const req: SimRequest = {
      method: (incoming.method ?? 'GET').toUpperCase(),
      path,
      query: url.searchParams,
      headers,
      rawBody,
      body: isForm ? undefined : parseBody(rawBody),
    };
    const answer = await serve(req);
    if (answer === 'drop') {
      const endpoint = routeEndpoint(req);
      if (endpoint) counters.status(endpoint, 'dropped');
      incoming.socket.destroy();
      return;
    }
    if (answer.response.hang) {
      // The connection stays open and silent until the client gives up (or the simulator stops).
      if (answer.endpoint) counters.status(answer.endpoint, 'hung');
      return;
    }
    if (answer.endpoint) counters.status(answer.endpoint, answer.response.status);
    send(res, answer.response);
  }

  function routeEndpoint(req: SimRequest): EndpointName | undefined {
    return routes.find((r) => r.method === req.method && r.pattern.test(req.path))?.endpoint;
  }

  function send(res: ServerResponse, response: SimResponse): void {
    const headers: Record<string, string> = {
      'x-ms-request-id': cryptoId(),
      ...(response.headers ?? {}),
    };
    let payload: string | undefined;
    if (response.body !== undefined) {
      if (typeof response.body === 'string') {
        payload = response.body;
        headers['content-type'] = response.contentType ?? 'text/plain; charset=utf-8';
      } else {
        payload = JSON.stringify(response.body);
        headers['content-type'] = response.contentType ?? 'application/json; charset=utf-8';
      }
      headers['content-length'] = String(Buffer.byteLength(payload, 'utf8'));
    } else {
      headers['content-length'] = '0';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  server.on('request', (incoming: IncomingMessage, res: ServerResponse) => {
    onRequest(incoming, res).catch((error: unknown) => {
      // A simulator bug must show up as an error answer, not a hang.
      if (!res.headersSent) {
        send(
          res,
          json(500, {
            error: { code: 'SimulatorError', message: error instanceof Error ? error.message : String(error) },
          }),
        );
      } else res.destroy();
    });
  });

  const env: Record<string, string> = {
    AKS_COMPLIANCE_ARM_ENDPOINT: armEndpoint,
    AKS_COMPLIANCE_GRAPH_ENDPOINT: graphEndpoint,
    AZURE_AUTHORITY_HOST: authorityHost,
    AZURE_TENANT_ID: tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: clientSecret,
    AKS_COMPLIANCE_API_CLIENT_ID: SIM_API_CLIENT_ID,
    AKS_COMPLIANCE_API_AUDIENCE: apiIdentifierUri,
    NODE_EXTRA_CA_CERTS: caPath,
  };

  return {
    url: armEndpoint,
    armEndpoint,
    graphEndpoint,
    authorityHost,
    teamsWebhookUrl: `${armEndpoint}/teams/webhook/workflows/aks-compliance`,
    port,
    caPem: certs.caPem,
    caPath,
    env,
    counters,
    faults: {
      set: (endpoint, spec) => {
        faults.set(endpoint, spec);
        resourceGraph.invalidateResults();
      },
      clear: (endpoint) => {
        faults.clear(endpoint);
        resourceGraph.invalidateResults();
      },
    },
    captured,
    signIn: {
      api: { clientId: SIM_API_CLIENT_ID, applicationIdUri: apiIdentifierUri },
      issuer: auth.issuer,
      jwksUri: `${authorityHost}/${tenantId}/discovery/v2.0/keys`,
      userToken: (user) => auth.userToken(user),
      sign: (claims) => auth.sign(claims),
      publicKeyPem: () => auth.publicKeyPem(),
      setApplicationRoles: (client, resource, roles) => auth.setApplicationRoles(client, resource, roles),
      setGroupRoles: (group, resource, roles) => auth.setGroupRoles(group, resource, roles),
    },
    setFleet(next: Fleet) {
      if (next.tenantId !== tenantId) {
        throw new Error(
          `setFleet: the tenant cannot change while the simulator runs (${tenantId} -> ${next.tenantId})`,
        );
      }
      tenantId = next.tenantId;
      auth.setOtherTenants(otherTenantsOf(next));
      resourceGraph.setFleet(next);
      aks.setFleet(next);
      graph.setFleet(next);
      kube.setFleet(next);
    },
    setAksApiVersions(versions) {
      aksApiVersions = versions;
    },
    resetQuota: () => resourceGraph.resetQuota(),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

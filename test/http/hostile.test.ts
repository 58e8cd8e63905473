// Hostile callers over real HTTP: the demo server (the route table bound to the demo's configuration) and the
// function handlers as registered (dependencies from the app settings, as in Azure), served by the local server on
// 127.0.0.1. Every route and method is called with no token, an expired one, one not valid yet, one for another
// audience, one from another issuer, a forged signature, `alg: none`, HS256 signed with the authority's public key,
// and a valid token without the route's app role: 401 (with WWW-Authenticate: Bearer) or 403 naming the role, JSON
// errors, and nothing is written (exemptions, runs, scans, alerts).
import { createHmac } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { HttpDeps } from '../../src/http/common';
import { handleNotify } from '../../src/http/notify';
import { ROUTES, routesWith, type Route } from '../../src/http/routes';
import { httpFunctionOptions } from '../../src/functions/http';
import { notifyOptions } from '../../src/functions/notify';
import { startLocalServer, type LocalServer } from '../../src/demo/server';
import { FindingStore } from '../../src/store/findingStore';
import { DEMO_GROUPS, DEMO_USER } from '../../sim';
import { smallFleet } from '../faults/harness';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(120_000);

let local: LocalAzure;
let demo: LocalServer;
let functions: LocalServer;
let store: FindingStore;
const generated = smallFleet({ seed: 71, clusters: 4, subscriptions: 1, regions: 1, poolsPerCluster: 1 });
const cluster = generated.fleet.clusters[0];
const [, , sub, , rg, , , , name] = cluster.id.split('/');
const savedEnv = { ...process.env };

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The hostile tokens, each built from what an attacker could hold. */
function hostileTokens(): Record<string, string | undefined> {
  const signIn = local.sim.signIn;
  const valid = signIn.userToken(DEMO_USER);
  const claims = claimsOf(valid);
  const now = Math.floor(Date.now() / 1000);
  const [head, body] = valid.split('.');
  const hs256 = `${b64({ typ: 'JWT', alg: 'HS256' })}.${body}`;
  return {
    'no token': undefined,
    expired: signIn.userToken({ ...DEMO_USER, lifetimeSeconds: -3600 }),
    'nbf in the future': signIn.sign({ ...claims, nbf: now + 3600, exp: now + 7200 }),
    'wrong audience': signIn.userToken({ ...DEMO_USER, resource: 'graph' }),
    'wrong issuer': signIn.sign({ ...claims, iss: 'https://login.microsoftonline.com/another-tenant/v2.0' }),
    'forged signature': `${head}.${b64({ ...claims, roles: ['Alerts.Send', ...(claims.roles as string[])] })}.${valid.split('.')[2]}`,
    'alg none': `${b64({ typ: 'JWT', alg: 'none' })}.${body}.`,
    'HS256 signed with the public key': `${hs256}.${createHmac('sha256', signIn.publicKeyPem()).update(hs256).digest('base64url')}`,
  };
}

interface Call {
  label: string;
  method: string;
  path: string;
  body?: unknown;
  role: string;
}

function calls(): Call[] {
  const exemption = {
    id: 'ex-hostile',
    ruleId: 'aks_local_accounts_disabled',
    scope: `/subscriptions/${sub}`,
    justification: 'widened by an attacker',
    expiresOn: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    author: 'attacker@contoso.com',
  };
  return [
    { label: 'report', method: 'GET', path: '/api/reports/latest', role: 'Reports.Read' },
    { label: 'cluster', method: 'GET', path: `/api/clusters/${sub}/${rg}/${name}`, role: 'Reports.Read' },
    { label: 'exemption list', method: 'GET', path: '/api/exemptions', role: 'Reports.Read' },
    { label: 'exemption history', method: 'GET', path: '/api/exemptions/ex-existing/history', role: 'Reports.Read' },
    { label: 'exemption create', method: 'POST', path: '/api/exemptions', body: exemption, role: 'Exemptions.Write' },
    {
      label: 'exemption widen',
      method: 'POST',
      path: '/api/exemptions',
      body: { ...exemption, id: 'ex-existing' },
      role: 'Exemptions.Write',
    },
    { label: 'exemption delete', method: 'DELETE', path: '/api/exemptions?id=ex-existing', role: 'Exemptions.Write' },
    { label: 'scan', method: 'POST', path: '/api/scans', body: { subscriptions: [sub] }, role: 'Scans.Run' },
    { label: 'notify', method: 'POST', path: '/api/notify', body: { runId: 'x' }, role: 'Alerts.Send' },
  ];
}

async function send(server: LocalServer, call: Call, token: string | undefined): Promise<Response> {
  return fetch(`${server.url}${call.path}`, {
    method: call.method,
    headers: {
      ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
  });
}

async function written(): Promise<unknown> {
  const exemptions = await store.listExemptions();
  const runs = await store.listRuns(100);
  return {
    exemptions: exemptions.map((e) => JSON.stringify(e)).sort(),
    runs: runs.map((r) => r.runId).sort(),
    resourceGraph: local.sim.counters.snapshot().resourceGraph,
    teams: local.sim.captured.teams.length,
    mail: local.sim.captured.mail.length,
  };
}

beforeAll(async () => {
  local = await startLocalAzure({ fleet: generated.fleet, azurite: true });
  Object.assign(process.env, local.env, {
    AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: local.sim.teamsWebhookUrl,
    AKS_COMPLIANCE_MAIL_SENDER: 'aks-alerts@contoso.com',
    AKS_COMPLIANCE_MAIL_TO: 'secops@contoso.com',
  });
  store = new FindingStore(local.clients);
  await store.putExemption({
    id: 'ex-existing',
    ruleId: 'aks_local_accounts_disabled',
    scope: cluster.id,
    justification: 'one cluster only',
    expiresOn: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    author: 'owner@contoso.com',
    createdAt: new Date().toISOString(),
  });
  const deps: HttpDeps = { settings: local.settings, clients: local.clients, store };
  const demoRoutes: Route[] = routesWith(deps).map((route) =>
    route.name === 'notify'
      ? { ...route, handler: (r, c) => handleNotify(r, c, { settings: local.settings, clients: local.clients }) }
      : route,
  );
  demo = await startLocalServer({ port: 0, routes: () => demoRoutes, log: () => undefined });
  // The function handlers exactly as the files register them.
  const registered: Route[] = ROUTES.map((route) => ({
    ...route,
    handler: (r, c: InvocationContext) =>
      route.name === 'notify' ? notifyOptions.handler(r, c) : (httpFunctionOptions[route.name].handler(r, c) as never),
  }));
  functions = await startLocalServer({ port: 0, routes: () => registered, log: () => undefined });
  local.sim.counters.reset();
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([demo?.close(), functions?.close()]);
  await local?.stop();
});

describe.each([
  ['the demo server', () => demo],
  ['the registered function handlers', () => functions],
])('hostile callers against %s', (_label, server) => {
  it('refuses every bad token on every route with a JSON 401 and WWW-Authenticate: Bearer, writing nothing', async () => {
    const before = await written();
    const outcomes: string[] = [];
    for (const [kind, token] of Object.entries(hostileTokens())) {
      for (const call of calls()) {
        const response = await send(server(), call, token);
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        const challenge = response.headers.get('www-authenticate') ?? '';
        const ok =
          response.status === 401 &&
          /^application\/json/.test(response.headers.get('content-type') ?? '') &&
          typeof body.error?.code === 'string' &&
          typeof body.error?.message === 'string' &&
          /^Bearer /.test(challenge) &&
          (token === undefined || challenge.includes('error="invalid_token"'));
        outcomes.push(`${kind} ${call.label}: ${ok ? 'refused' : `${response.status} ${JSON.stringify(body)}`}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(': refused'))).toEqual([]);
    expect(outcomes).toHaveLength(8 * 9);
    expect(await written()).toEqual(before);
  });

  it('answers 403 naming the missing app role to a valid token without it, writing nothing', async () => {
    const before = await written();
    const nobody = local.sim.signIn.userToken({
      oid: 'f0f0f0f0-0000-4000-8000-000000000001',
      upn: 'guest@contoso.com',
    });
    const readerOnly = local.sim.signIn.userToken({
      oid: 'f0f0f0f0-0000-4000-8000-000000000002',
      upn: 'reader@contoso.com',
      groups: [DEMO_GROUPS.readers.id],
    });
    const scanner = (await local.clients.credential.getToken(`${local.settings.apiAudience}/.default`))!.token;
    const outcomes: string[] = [];
    for (const call of calls()) {
      const holders: [string, string][] = [['no roles', nobody]];
      if (call.role !== 'Reports.Read') holders.push(['Reports.Read only', readerOnly]);
      if (call.role !== 'Alerts.Send') holders.push(['the scanner (Alerts.Send)', scanner]);
      else holders.push(['a person with every other role', local.sim.signIn.userToken(DEMO_USER)]);
      for (const [who, token] of holders) {
        const response = await send(server(), call, token);
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        const ok =
          response.status === 403 && body.error?.code === 'MissingAppRole' && body.error.message?.includes(call.role);
        outcomes.push(`${who} ${call.label}: ${ok ? 'forbidden' : `${response.status} ${JSON.stringify(body)}`}`);
      }
    }
    expect(outcomes.filter((o) => !o.endsWith(': forbidden'))).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(20);
    expect(await written()).toEqual(before);
  });

  it('lets the same calls through with the right role (the refusals above are about the token)', async () => {
    const person = local.sim.signIn.userToken(DEMO_USER);
    const report = await send(server(), calls()[2], person);
    expect(report.status).toBe(200);
    const noKey = await fetch(`${server().url}/api/exemptions?code=a-function-key`);
    expect(noKey.status).toBe(401);
  });
});

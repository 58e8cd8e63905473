// HTTP fuzzing: 2,400 generated requests (seeded) across every route of src/http/routes.ts, through the registered
// handlers as the Functions host calls them (HttpRequest, InvocationContext), configured from the app settings
// environment like in Azure, against Azurite and the simulator. Bad methods, parameters (traversal, huge, unicode,
// encoded), query values, bodies (invalid JSON, wrong types, deep nesting, huge strings up to and over 1 MB, invalid
// UTF-8, wrong content types), with bearer tokens in play: most requests carry a valid token holding the route's app
// role, the rest none, garbage, an expired one or one without the role. Every answer must be below 500, and every 4xx
// a JSON `{error:{code,message}}`.
// The notifier's own payload fuzz (500 hostile batches, inert output) is test/alerts/fuzz.test.ts.
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { ROUTES, type Route } from '../../src/http/routes';
import { createQueueClient } from '../../src/azure/queues';
import { defaultHttpDeps } from '../../src/http/common';
import { localQueueHost } from '../../src/demo/queueHost';
import { runQueuedScan, SCAN_QUEUE } from '../../src/scan/onDemand';
import { RULE_IDS } from '../../sim/fleet/generator';
import { seededRandom } from '../../sim/faults';
import { smallFleet } from '../faults/harness';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { DEMO_USER } from '../../sim';

jest.setTimeout(600_000);

const REQUESTS = 2400;
const MB = 1024 * 1024;

let local: LocalAzure;
/** The run the set-up scan stored (its alert batch too): the notifier's one valid run ID. */
let storedRunId = '';
const generated = smallFleet({ seed: 61, clusters: 6, subscriptions: 2, regions: 2, poolsPerCluster: 1 });
const savedEnv = { ...process.env };
/** Bearer tokens: a person holding Reports.Read, Scans.Run and Exemptions.Write; the scanner app (Alerts.Send). */
const tokens: Record<'user' | 'app' | 'expired' | 'noRole', string> = { user: '', app: '', expired: '', noRole: '' };

beforeAll(async () => {
  local = await startLocalAzure({ fleet: generated.fleet, azurite: { queues: true } });
  // The handlers build their dependencies from the app settings, as in Azure.
  Object.assign(process.env, local.env, {
    AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: local.sim.teamsWebhookUrl,
    AKS_COMPLIANCE_MAIL_SENDER: 'aks-alerts@contoso.com',
    AKS_COMPLIANCE_MAIL_TO: 'secops@contoso.com',
  });
  tokens.user = local.sim.signIn.userToken(DEMO_USER);
  tokens.expired = local.sim.signIn.userToken({ ...DEMO_USER, lifetimeSeconds: -3600 });
  tokens.noRole = local.sim.signIn.userToken({
    oid: '00000000-0000-4000-8000-00000000f022',
    upn: 'nobody@contoso.com',
  });
  const app = await local.clients.credential.getToken(`${local.settings.apiAudience}/.default`);
  tokens.app = app!.token;
  // One stored run, so reports and clusters exist.
  const scan = await call(
    route('scans'),
    'POST',
    {},
    {},
    { string: '{}' },
    {
      'content-type': 'application/json',
      authorization: `Bearer ${tokens.user}`,
    },
  );
  expect(scan.status).toBe(202);
  // The queue-triggered worker runs it, as the host would.
  const deps = defaultHttpDeps();
  const worker = localQueueHost({
    queue: createQueueClient(deps.settings, deps.clients.credential, SCAN_QUEUE),
    poison: createQueueClient(deps.settings, deps.clients.credential, `${SCAN_QUEUE}-poison`),
    functionName: 'scanQueue',
    handler: (entry, ctx) => runQueuedScan(entry, ctx, deps),
    log: () => undefined,
  });
  expect(await worker.drain()).toBe(1);
  storedRunId = (JSON.parse(String(scan.body)) as { runId: string }).runId;
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await local?.stop();
});

function route(name: string): Route {
  const r = ROUTES.find((x) => x.name === name);
  if (!r) throw new Error(`no route ${name}`);
  return r;
}

async function call(
  r: Route,
  method: string,
  params: Record<string, string>,
  query: Record<string, string>,
  body: { string?: string; bytes?: Uint8Array } | undefined,
  headers: Record<string, string>,
  rawQuery = '',
): Promise<HttpResponseInit> {
  // The host hands handlers well-formed strings (a lone surrogate arrives as U+FFFD after UTF-8 decoding).
  const wellFormed = (v: string) => Buffer.from(v, 'utf8').toString('utf8');
  params = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, wellFormed(v)]));
  query = Object.fromEntries(Object.entries(query).map(([k, v]) => [wellFormed(k), wellFormed(v)]));
  let path = r.route;
  for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
  const qs = new URLSearchParams(query).toString();
  const url = `http://localhost:7071/api/${path}${qs || rawQuery ? `?${[qs, rawQuery].filter(Boolean).join('&')}` : ''}`;
  const request = new HttpRequest({ method, url, params, query, headers, ...(body ? { body } : {}) });
  const context = new InvocationContext({ invocationId: 'fuzz', functionName: r.name, logHandler: () => undefined });
  return r.handler(request, context);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const SUB = generated.fleet.clusters[0].id.split('/')[2];
const CLUSTER = generated.fleet.clusters[0];

function hostileText(rng: Rng): string {
  return pick(rng, [
    '',
    ' ',
    '..',
    '../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f',
    '%00',
    '\u0000',
    'a\nb\r\nc',
    '<script>alert(1)</script>',
    '"\'`;--',
    "=cmd|' /C calc'!A0",
    '☃💥\u202e\ufeff',
    '\ud800',
    'x'.repeat(1 + Math.floor(rng() * 5000)),
    'x'.repeat(70_000),
    'latest',
    '20261127T020000Z-aaaaaa',
    SUB,
    SUB.toUpperCase(),
    CLUSTER.name,
    '/subscriptions/x/../../',
    '%',
    '%zz',
    '\\\\server\\share',
    'CON',
    '#?/\\',
    String(Math.floor(rng() * 1e9)),
  ]);
}

function jsonValue(rng: Rng, depth = 0): unknown {
  const roll = rng();
  if (depth > 3 || roll < 0.35) {
    return pick(rng, [null, true, false, 0, -1, 1e308, 3.14, 'text', hostileText(rng), [], {}]);
  }
  if (roll < 0.6) return Array.from({ length: Math.floor(rng() * 4) }, () => jsonValue(rng, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(rng() * 5); i++)
    out[pick(rng, ['id', 'x', '__proto__', 'constructor', hostileText(rng)])] = jsonValue(rng, depth + 1);
  return out;
}

function validExemption(rng: Rng): Record<string, unknown> {
  return {
    id: `fuzz-${Math.floor(rng() * 1000)}`,
    ruleId: pick(rng, RULE_IDS),
    scope: pick(rng, [CLUSTER.id, `/subscriptions/${SUB}`, 'tag:env=prod', `/subscriptions/${SUB}/resourceGroups/rg`]),
    justification: 'accepted risk for the fuzz run',
    expiresOn: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  };
}

/** The notifier's body: a run ID (stored or not), sometimes with the alert content it must refuse. */
function notifyBody(rng: Rng): Record<string, unknown> {
  const runId = pick(rng, [storedRunId, `fuzz-${Math.floor(rng() * 100000)}`]);
  if (rng() < 0.5) return { runId };
  return {
    runId,
    alerts: [{ key: 'x', clusterName: hostileText(rng), message: hostileText(rng) }],
    reportUrl: 'https://evil.example/phish',
  };
}

/** A valid body for the route, then mutated: a field removed, retyped or replaced with hostile text. */
function mutatedBody(rng: Rng, name: string): unknown {
  let body: Record<string, unknown>;
  if (name === 'exemptions') body = validExemption(rng);
  else if (name === 'notify') body = notifyBody(rng);
  else if (name === 'scans') {
    body = pick(rng, [
      { subscriptions: [SUB] },
      { clusterId: CLUSTER.id },
      { subscriptions: [hostileText(rng)] },
      { subscriptions: Array.from({ length: 2000 }, () => SUB) },
      { clusterId: hostileText(rng) },
      { subscriptions: [SUB], clusterId: CLUSTER.id },
    ]);
  } else body = { x: 1 };
  if (rng() < 0.8) {
    const keys = Object.keys(body);
    const key = keys.length > 0 ? pick(rng, keys) : 'x';
    const op = rng();
    if (op < 0.3) delete body[key];
    else if (op < 0.8) body[key] = jsonValue(rng);
    else body[hostileText(rng).slice(0, 50) || 'extra'] = jsonValue(rng);
  }
  return body;
}

interface Generated {
  route: Route;
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  rawQuery: string;
  headers: Record<string, string>;
  body?: { string?: string; bytes?: Uint8Array };
  label: string;
}

const BIG_STRINGS = {
  under: 'a'.repeat(MB - 64),
  over: 'a'.repeat(MB + 10),
};

function bodyFor(rng: Rng, r: Route): { body?: Generated['body']; label: string } {
  const roll = rng();
  if (roll < 0.1) return { label: 'no body' };
  if (roll < 0.4) return { body: { string: JSON.stringify(mutatedBody(rng, r.name)) }, label: 'mutated valid body' };
  if (roll < 0.5) return { body: { string: JSON.stringify(jsonValue(rng)) }, label: 'random JSON' };
  if (roll < 0.6) {
    return {
      body: { string: pick(rng, ['{', '{"a":}', 'nul', "{'a':1}", '[1,2,', '\u0000', '{"a":1}{"b":2}', '']) },
      label: 'invalid JSON',
    };
  }
  if (roll < 0.67) {
    return {
      body: { string: nested(pick(rng, [100, 5000, 100_000]), pick(rng, ['array', 'object'])) },
      label: 'deep nesting',
    };
  }
  if (roll < 0.73) {
    const bytes = Uint8Array.from([
      0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x7d,
    ]);
    return { body: { bytes }, label: 'invalid UTF-8' };
  }
  if (roll < 0.77) {
    const text = pick(rng, [BIG_STRINGS.under, BIG_STRINGS.over]);
    const valid = validExemption(rng);
    return {
      body: { string: JSON.stringify({ ...valid, justification: text }) },
      label: text.length > MB ? 'over 1 MB' : 'just under 1 MB',
    };
  }
  if (roll < 0.8) return { body: { string: `"${'x'.repeat(MB * 2)}"` }, label: '2 MB string' };
  return { body: { string: JSON.stringify(mutatedBody(rng, r.name)) }, label: 'mutated valid body' };
}

function generate(rng: Rng): Generated {
  const r = pick(rng, ROUTES);
  const method =
    rng() < 0.75
      ? pick(rng, r.methods)
      : pick(rng, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'post', 'PROPFIND', 'X']);
  const params: Record<string, string> = {};
  if (r.route.includes('{id}')) params.id = rng() < 0.5 ? `fuzz-${Math.floor(rng() * 1000)}` : hostileText(rng);
  if (r.route.includes('{runId}')) {
    params.runId = rng() < 0.5 ? pick(rng, ['latest', 'latest', '20261127T020000Z-aaaaaa']) : hostileText(rng);
  }
  if (r.route.includes('{subscriptionId}')) {
    const good = rng() < 0.5;
    params.subscriptionId = good ? SUB : hostileText(rng);
    params.resourceGroup = good && rng() < 0.7 ? CLUSTER.id.split('/')[4] : hostileText(rng);
    params.name = good && rng() < 0.7 ? CLUSTER.name : hostileText(rng);
  }
  const query: Record<string, string> = {};
  let rawQuery = '';
  const q = rng();
  if (q < 0.4) {
    for (let i = 0; i < 1 + Math.floor(rng() * 3); i++) {
      const name = pick(rng, [
        'format',
        'severity',
        'status',
        'subscription',
        'rule',
        'id',
        'code',
        'limit',
        hostileText(rng).slice(0, 30) || 'x',
      ]);
      const value = pick(rng, [
        'json',
        'csv',
        'md',
        'html',
        'table',
        'xml',
        'critical',
        'fail',
        'pass',
        SUB,
        pick(rng, RULE_IDS),
        hostileText(rng),
      ]);
      query[name] = value;
    }
  } else if (q < 0.5) {
    rawQuery = pick(rng, [
      'format=json&format=csv',
      'severity=high&severity=critical',
      'status=',
      '=',
      '&&&',
      'a=%zz',
      `id=${'x'.repeat(3000)}`,
    ]);
  }
  const headers: Record<string, string> = {};
  const h = rng();
  if (h < 0.6) headers['content-type'] = 'application/json';
  else if (h < 0.7)
    headers['content-type'] = pick(rng, [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/merge-patch+json',
      '',
    ]);
  if (rng() < 0.05) headers['content-length'] = pick(rng, ['0', '-1', '99999999999', 'abc']);
  if (rng() < 0.2)
    headers['if-match'] = pick(rng, ['*', 'W/"x"', '"stale"', hostileText(rng).replace(/[^\x20-\x7e]/g, '')]);
  const a = rng();
  if (a < 0.85) headers.authorization = `Bearer ${r.name === 'notify' ? tokens.app : tokens.user}`;
  else if (a < 0.97) {
    const bad = pick(rng, ['expired', 'noRole', 'garbage', 'basic', 'swapped'] as const);
    headers.authorization =
      bad === 'garbage'
        ? // Header values are bytes: what an attacker can send is printable ASCII.
          `Bearer ${hostileText(rng)
            .replace(/[^\x20-\x7e]/g, '')
            .slice(0, 4000)}`
        : bad === 'basic'
          ? 'Basic dXNlcjpwYXNz'
          : `Bearer ${bad === 'swapped' ? (r.name === 'notify' ? tokens.user : tokens.app) : tokens[bad]}`;
  }
  const { body, label } =
    method.toUpperCase() === 'GET' || method.toUpperCase() === 'HEAD' ? { label: 'no body' } : bodyFor(rng, r);
  return { route: r, method, params, query, rawQuery, headers, body, label };
}

function contentTypeOf(response: HttpResponseInit): string | undefined {
  if (response.jsonBody !== undefined) return 'application/json';
  const headers = response.headers as Record<string, string> | undefined;
  if (!headers) return undefined;
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type');
  return entry?.[1];
}

function errorBodyOf(response: HttpResponseInit): unknown {
  if (response.jsonBody !== undefined) return response.jsonBody;
  return JSON.parse(String(response.body));
}

it(`${REQUESTS} generated requests across every route: no 5xx, every 4xx a JSON error`, async () => {
  const rng = seededRandom(20261127);
  const byStatus = new Map<string, number>();
  const failures: string[] = [];
  let sent = 0;
  let refusedByHttpRequest = 0;
  const routesSeen = new Set<string>();
  while (sent < REQUESTS) {
    const g = generate(rng);
    let response: HttpResponseInit;
    try {
      response = await call(g.route, g.method, g.params, g.query, g.body, g.headers, g.rawQuery);
    } catch (error) {
      // Requests the HTTP layer itself refuses to build (a method or header it rejects) never reach a handler.
      if (error instanceof TypeError && /method|header|URL/i.test(error.message)) {
        refusedByHttpRequest += 1;
        continue;
      }
      failures.push(`${g.method} ${g.route.route} (${g.label}): handler threw ${(error as Error).message}`);
      sent += 1;
      continue;
    }
    sent += 1;
    routesSeen.add(g.route.name);
    const status = response.status ?? 200;
    const key = `${g.route.name} ${status}`;
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    const what = `${g.method} /api/${g.route.route} ${JSON.stringify(g.params).slice(0, 120)} (${g.label})`;
    if (status >= 500) {
      failures.push(`${what}: ${status} ${String(response.body ?? JSON.stringify(response.jsonBody)).slice(0, 300)}`);
      continue;
    }
    if (status >= 400) {
      const type = contentTypeOf(response);
      if (!type || !/^application\/json/i.test(type)) {
        failures.push(`${what}: ${status} with content type ${type}`);
        continue;
      }
      let body: { error?: { code?: unknown; message?: unknown } };
      try {
        body = errorBodyOf(response) as typeof body;
      } catch {
        failures.push(`${what}: ${status} body is not JSON`);
        continue;
      }
      if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') {
        failures.push(`${what}: ${status} body is not {error:{code,message}}: ${JSON.stringify(body).slice(0, 200)}`);
      }
    }
  }
  const lines = [...byStatus.entries()].sort().map(([k, v]) => `  ${k}: ${v}`);
  process.stdout.write(
    `HTTP fuzz: ${sent} requests (${refusedByHttpRequest} more refused by HttpRequest itself)\n${lines.join('\n')}\n`,
  );
  expect(failures.slice(0, 20)).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(2000);
  expect([...routesSeen].sort()).toEqual(ROUTES.map((r) => r.name).sort());
  // Something got through validation on every route family (the fuzz is not only bouncing off the first check).
  const ok = [...byStatus.entries()].filter(([k]) => / 2\d\d$/.test(k)).map(([k]) => k.split(' ')[0]);
  expect(new Set(ok).size).toBeGreaterThanOrEqual(4);
});

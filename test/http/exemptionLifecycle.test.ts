// An exemption's life over real HTTP through the demo server (the route table bound to a store on Azurite, tokens
// from the simulator): created by one person, a stale update refused (412), widened by another, deleted; its history
// names who changed what and when, the next alert digest lists the changes once, and an author in the body is refused.
import { recordAlerts } from '../../src/alerts/afterScan';
import { exemptionNoteLine } from '../../src/alerts/alerts';
import { buildMail } from '../../src/alerts/mail';
import { buildTeamsMessage } from '../../src/alerts/teamsCard';
import type { HttpDeps } from '../../src/http/common';
import { MAX_ACTIVE_EXEMPTIONS } from '../../src/http/exemptions';
import { routesWith } from '../../src/http/routes';
import { startLocalServer, type LocalServer } from '../../src/demo/server';
import { FindingStore } from '../../src/store/findingStore';
import { DEMO_GROUPS } from '../../sim';
import { smallFleet } from '../faults/harness';
import { cardTexts, textRuns } from '../alerts/cardValidation';
import { report } from '../alerts/reports';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(120_000);

let local: LocalAzure;
let server: LocalServer;
let store: FindingStore;
const generated = smallFleet({ seed: 73, clusters: 2, subscriptions: 1, regions: 1, poolsPerCluster: 1 });
const cluster = generated.fleet.clusters[0];
const sub = cluster.id.split('/')[2];

const ALICE = {
  oid: 'a11ce000-0000-4000-8000-0000000000a1',
  upn: 'alice@contoso.com',
  name: 'Alice',
  groups: [DEMO_GROUPS.approvers.id, DEMO_GROUPS.readers.id],
};
const BOB = {
  oid: 'b0b00000-0000-4000-8000-0000000000b2',
  upn: 'bob@contoso.com',
  name: 'Bob',
  groups: [DEMO_GROUPS.approvers.id, DEMO_GROUPS.readers.id],
};

function call(
  person: typeof ALICE,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${local.sim.signIn.userToken(person)}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

beforeAll(async () => {
  local = await startLocalAzure({ fleet: generated.fleet, azurite: true });
  store = new FindingStore(local.clients, { tablePrefix: 'lifecycle' });
  const deps: HttpDeps = { settings: local.settings, clients: local.clients, store };
  const routes = routesWith(deps);
  server = await startLocalServer({ port: 0, routes: () => routes, log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await local?.stop();
});

test('create, stale update 412, widen, delete: each version in the history with author, time and change', async () => {
  const exemption = {
    id: 'ex-life',
    ruleId: 'aks_local_accounts_disabled',
    scope: cluster.id,
    justification: 'Break-glass account until the migration (CHG-1)',
    expiresOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
  };

  // An author (or a creation time) in the body is refused: the server takes them from the token and its clock.
  const forged = await call(ALICE, 'POST', '/api/exemptions', { ...exemption, author: 'ceo@contoso.com' });
  expect(forged.status).toBe(400);
  expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/^author: /);
  const backdated = await call(ALICE, 'POST', '/api/exemptions', { ...exemption, createdAt: '2020-01-01' });
  expect(backdated.status).toBe(400);

  const t0 = Date.now();
  const created = await call(ALICE, 'POST', '/api/exemptions', exemption);
  expect(created.status).toBe(201);
  const v1 = created.headers.get('etag')!;
  expect(await created.json()).toMatchObject({
    author: ALICE.upn,
    authorOid: ALICE.oid,
    version: 1,
    change: 'created',
  });

  // Re-posting the same ID without If-Match no longer replaces it silently.
  const blind = await call(BOB, 'POST', '/api/exemptions', { ...exemption, scope: `/subscriptions/${sub}` });
  expect(blind.status).toBe(428);

  const edited = await call(
    ALICE,
    'POST',
    '/api/exemptions',
    { ...exemption, justification: 'CHG-2' },
    { 'if-match': v1 },
  );
  expect(edited.status).toBe(200);
  const v2 = edited.headers.get('etag')!;
  expect(v2).not.toBe(v1);

  // Bob still holds version 1's ETag: 412, and nothing changes.
  const stale = await call(
    BOB,
    'POST',
    '/api/exemptions',
    { ...exemption, scope: `/subscriptions/${sub}` },
    {
      'if-match': v1,
    },
  );
  expect(stale.status).toBe(412);
  expect(stale.headers.get('etag')).toBe(v2);

  const widened = await call(
    BOB,
    'POST',
    '/api/exemptions',
    { ...exemption, justification: 'CHG-2', scope: `/subscriptions/${sub}` },
    {
      'if-match': v2,
    },
  );
  expect(widened.status).toBe(200);
  expect(await widened.json()).toMatchObject({ version: 3, change: 'widened', author: ALICE.upn, updatedBy: BOB.upn });

  const gone = await call(ALICE, 'DELETE', '/api/exemptions?id=ex-life', undefined, {
    'if-match': widened.headers.get('etag')!,
  });
  expect(gone.status).toBe(204);
  const listed = (await (await call(ALICE, 'GET', '/api/exemptions')).json()) as { exemptions: unknown[] };
  expect(listed.exemptions).toEqual([]);

  const history = await call(BOB, 'GET', '/api/exemptions/ex-life/history');
  expect(history.status).toBe(200);
  const body = (await history.json()) as {
    removed: { by: string; byOid: string };
    versions: {
      version: number;
      action: string;
      at: string;
      by: { oid: string; name: string };
      changes: { field: string; before: string | null; after: string | null }[];
    }[];
  };
  expect(body.removed).toMatchObject({ by: ALICE.upn, byOid: ALICE.oid });
  expect(body.versions.map((v) => [v.version, v.action, v.by.name, v.by.oid])).toEqual([
    [1, 'created', ALICE.upn, ALICE.oid],
    [2, 'changed', ALICE.upn, ALICE.oid],
    [3, 'widened', BOB.upn, BOB.oid],
    [4, 'removed', ALICE.upn, ALICE.oid],
  ]);
  for (const v of body.versions) {
    expect(Date.parse(v.at)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(Date.parse(v.at)).toBeLessThanOrEqual(Date.now());
  }
  expect(body.versions[1].changes).toEqual([
    { field: 'justification', before: exemption.justification, after: 'CHG-2' },
  ]);
  expect(body.versions[2].changes).toEqual([{ field: 'scope', before: cluster.id, after: `/subscriptions/${sub}` }]);

  // Every change waits for the next alert digest.
  const pending = await store.unreportedExemptionChanges();
  expect(pending.entries.map((e) => `${e.id} v${e.version} ${e.action} by ${e.by.name}`)).toEqual([
    `ex-life v1 created by ${ALICE.upn}`,
    `ex-life v2 changed by ${ALICE.upn}`,
    `ex-life v3 widened by ${BOB.upn}`,
    `ex-life v4 removed by ${ALICE.upn}`,
  ]);

  // The next scan's alert batch carries them (the digest lists them: card in TextRuns, mail escaped), and marks them.
  const recordFor = (runId: string) =>
    recordAlerts({
      settings: { alertMinSeverity: 'high', ownerTag: 'owner' },
      clients: local.clients,
      previous: undefined,
      report: report(runId, []),
      log: () => undefined,
      exemptions: store,
    });
  const batch = await recordFor('20261207T020000Z-exemptions');
  const lines = (batch.exemptionChanges ?? []).map(exemptionNoteLine);
  expect(lines.map((l) => l.replace(/ at \S+:/, ':'))).toEqual([
    `Exemption ex-life created by ${ALICE.upn}: aks_local_accounts_disabled on ${cluster.id}, until ${exemption.expiresOn}T00:00:00.000Z`,
    `Exemption ex-life changed by ${ALICE.upn}: aks_local_accounts_disabled on ${cluster.id}, until ${exemption.expiresOn}T00:00:00.000Z`,
    `Exemption ex-life widened by ${BOB.upn}: aks_local_accounts_disabled on /subscriptions/${sub}, until ${exemption.expiresOn}T00:00:00.000Z`,
    `Exemption ex-life removed by ${ALICE.upn}: aks_local_accounts_disabled on /subscriptions/${sub}, until ${exemption.expiresOn}T00:00:00.000Z`,
  ]);
  const card = buildTeamsMessage(batch).message;
  expect(textRuns(card)).toEqual(expect.arrayContaining(lines));
  expect(cardTexts(card)).toContain('Exemption changes since the last digest: 4');
  const mail = buildMail(batch, batch.alerts);
  for (const line of lines) expect(mail.html).toContain(`<li>${line}</li>`);
  expect((await store.unreportedExemptionChanges()).entries).toEqual([]);
  // Listed once: the run after carries none.
  expect((await recordFor('20261208T020000Z-exemptions')).exemptionChanges).toBeUndefined();
});

test('at most 10,000 active exemptions: the next creation is a 400, a change of an existing one still works', async () => {
  const expiresOn = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const seeded = Array.from({ length: MAX_ACTIVE_EXEMPTIONS }, (_, i) => ({
    id: `bulk-${i}`,
    ruleId: 'aks_entra_id_enabled',
    scope: `/subscriptions/${sub}`,
    justification: 'bulk',
    expiresOn,
    author: 'import',
    createdAt: new Date().toISOString(),
  }));
  // Seeded as an import would (16 writes in flight), not through the API: the limit is what is tested here.
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < seeded.length) await store.putExemption(seeded[next++]);
    }),
  );
  const refused = await call(ALICE, 'POST', '/api/exemptions', {
    ruleId: 'aks_entra_id_enabled',
    scope: cluster.id,
    justification: 'one too many',
    expiresOn: expiresOn.slice(0, 10),
  });
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
    code: 'TooManyExemptions',
    message: expect.stringContaining('10000'),
  });
  const one = await call(ALICE, 'GET', '/api/exemptions?id=bulk-7');
  const changed = await call(
    ALICE,
    'POST',
    '/api/exemptions',
    {
      ruleId: 'aks_entra_id_enabled',
      scope: `/subscriptions/${sub}`,
      justification: 'narrowed later',
      expiresOn,
      id: 'bulk-7',
    },
    { 'if-match': one.headers.get('etag')! },
  );
  expect(changed.status).toBe(200);
}, 300_000);

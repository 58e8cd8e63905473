// The notifier end to end: stored batches, POST /api/notify with a run ID, the Teams sink and Graph sendMail in the
// simulator, delivery claims in Azurite's tables and retries through Azurite's queue.
import { computeAlertBatch, type AlertBatch } from '../../src/alerts/alerts';
import { handOverAlerts, recordAlerts } from '../../src/alerts/afterScan';
import { DeliveryClaims } from '../../src/alerts/claims';
import { DEFAULT_RETRY_POLICY, DELIVERY_QUEUE, DeliveryQueue } from '../../src/alerts/deliveryQueue';
import { handleNotify } from '../../src/http/notify';
import type { ScanReport } from '../../src/model';
import { adaptiveCardProblems, cardTexts, hasBackslashEscape, textRuns } from './cardValidation';
import { contextFor, MAIL_TO, resetSim, startNotifierEnv, TEST_POLICY, type NotifierEnv } from './notifierHarness';
import { cluster, finding, report } from './reports';
import { HttpRequest } from '@azure/functions';
import { DEMO_USER } from '../../sim';

jest.setTimeout(120_000);

let env: NotifierEnv;
beforeAll(async () => {
  env = await startNotifierEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});
beforeEach(() => resetSim(env));

type Card = { attachments: Array<{ content: Record<string, unknown> }> };
const cards = () => env.local.sim.captured.teams as Card[];
const cardText = (card: Card) => cardTexts(card.attachments[0].content).join('\n');
const mails = () =>
  env.local.sim.captured.mail.map((m) => {
    const message = m.message as {
      subject: string;
      body: { content: string };
      toRecipients: { emailAddress: { address: string } }[];
    };
    return {
      sender: m.sender,
      to: message.toRecipients.map((r) => r.emailAddress.address),
      subject: message.subject,
      html: message.body.content,
    };
  });
const mailCount = () => {
  const out: Record<string, number> = {};
  for (const m of mails()) for (const to of m.to) out[to] = (out[to] ?? 0) + 1;
  return out;
};
const owner = 'team-beta@contoso.com';
const DAY = 24 * 3600 * 1000;

function fleetReport(runId: string, changed = false): ScanReport {
  return report(runId, [
    cluster('alpha', [
      finding('aks_version_supported', changed ? 'pass' : 'fail', 'critical'),
      finding('aks_local_accounts_disabled', 'fail', 'high'),
      finding('aks_auto_upgrade_enabled', 'fail', 'medium'),
    ]),
    cluster(
      'beta',
      [
        finding('aks_entra_id_enabled', 'fail', changed ? 'critical' : 'high'),
        finding('aks_api_server_access_restricted', changed ? 'fail' : 'exempt', 'high'),
      ],
      { tags: { owner } },
    ),
    cluster(
      'gamma',
      [
        finding('aks_local_accounts_disabled', 'fail', 'high'),
        finding('aks_kubernetes_rbac_enabled', changed ? 'fail' : 'pass', 'critical'),
      ],
      { tags: { owner: 'ops team <ops@contoso' } },
    ),
    cluster('omega', [finding('aks_local_accounts_disabled', 'fail', 'high')], {
      tags: { owner: 'attacker@evil.example' },
    }),
  ]);
}

async function stored(runId: string, name = 'delta', ownerTag?: string): Promise<AlertBatch> {
  const r = report(runId, [
    cluster(
      name,
      [finding('aks_version_supported', 'fail', 'critical')],
      ownerTag ? { tags: { owner: ownerTag } } : {},
    ),
  ]);
  const batch = computeAlertBatch(undefined, r, { minSeverity: 'high' });
  await env.record(batch);
  return batch;
}

const statuses = (body: { deliveries: { channel: string; recipient: string; status: string }[] }) =>
  Object.fromEntries(body.deliveries.map((d) => [`${d.channel}:${d.recipient}`, d.status]));

describe('POST /api/notify takes a run ID and delivers the stored batch', () => {
  const first = fleetReport('scan-1');

  it('a recorded run: one valid card, the digest mail, the owner mail; bad and outside owners reported', async () => {
    const batch = await recordAlerts({
      settings: env.settings,
      clients: env.local.clients,
      previous: undefined,
      report: first,
      log: (l) => env.logs.push(l),
    });
    expect(batch.alerts).toHaveLength(5);
    const r = await env.notify('scan-1');
    expect(r.status).toBe(200);
    expect(statuses(r.body)).toEqual({
      'teams:webhook': 'delivered',
      'mail:secops@contoso.com': 'delivered',
      [`mail:${owner}`]: 'delivered',
    });
    expect(cards()).toHaveLength(1);
    const card = cards()[0].attachments[0].content;
    expect(adaptiveCardProblems(card).problems).toEqual([]);
    expect(cardText(cards()[0])).toContain('5 changes');
    for (const name of ['alpha', 'beta', 'gamma', 'omega']) expect(textRuns(card)).toContain(name);
    // The report link comes from the notifier's settings.
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the report', url: env.settings.reportUrl }]);
    expect(mailCount()).toEqual({ 'secops@contoso.com': 1, [owner]: 1 });
    expect(mails().every((m) => m.sender === 'aks-alerts@contoso.com')).toBe(true);
    const ownerMail = mails().find((m) => m.to[0] === owner)!;
    expect(ownerMail.html).toContain('beta');
    expect(ownerMail.html).not.toContain('alpha');
    // Outside the allowed domains (default: the sender's, contoso.com): reported, never mailed.
    expect(r.body.refusedRecipients).toEqual([
      {
        recipient: 'attacker@evil.example',
        source: 'owner tag',
        reason: 'not in the allowed mail domains (contoso.com)',
      },
    ]);
    expect(mails().flatMap((m) => m.to)).not.toContain('attacker@evil.example');
    expect(r.body.invalidOwners).toEqual([
      expect.objectContaining({ clusterName: 'gamma', reason: expect.stringMatching(/not an email/) }),
    ]);
    expect(env.logs.join('\n')).toMatch(/owner tag recipient "attacker@evil.example" is not mailed/);
  });

  it('re-posting a real run ID delivers nothing new', async () => {
    const again = await env.notify('scan-1');
    expect(again.status).toBe(200);
    expect(Object.values(statuses(again.body))).toEqual([
      'skipped_duplicate',
      'skipped_duplicate',
      'skipped_duplicate',
    ]);
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
  });

  it('a body carrying alert content is a 400 and nothing is sent; an unknown run is a 404', async () => {
    const forged = computeAlertBatch(undefined, first, { minSeverity: 'high' });
    for (const body of [
      JSON.stringify(forged),
      JSON.stringify({ runId: 'scan-1', alerts: forged.alerts }),
      JSON.stringify({ runId: 'scan-1', reportUrl: 'https://evil.example/phish' }),
      JSON.stringify({ runId: 'scan-1', to: ['victim@contoso.com'] }),
    ]) {
      const r = await env.post(body);
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'ContentNotAccepted' } } });
    }
    expect((await env.post(JSON.stringify({ runId: 'a/b' }))).body.error.code).toBe('InvalidRunId');
    expect((await env.post('[]')).status).toBe(400);
    expect((await env.post('{"runId":')).status).toBe(400);
    expect((await env.post(new Uint8Array([0x7b, 0xff, 0x7d]))).status).toBe(400);
    expect((await env.post('{"runId":"' + 'x'.repeat(5000) + '"}')).status).toBe(413);
    expect((await env.post('{"runId":"scan-1"}', { 'content-type': 'text/html' })).status).toBe(415);
    const unknown = await env.notify('no-such-run');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'RunNotFound' } } });
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
    expect(env.local.sim.counters.snapshot().teams ?? 0).toBe(0);
  });

  it('a token without Alerts.Send is a 403 and nothing is sent; no token is a 401', async () => {
    // A person of the demo groups: a valid token for the API with Reports.Read, Scans.Run, Exemptions.Write only.
    const person = env.local.sim.signIn.userToken(DEMO_USER);
    const denied = await env.post(JSON.stringify({ runId: 'scan-1' }), { authorization: `Bearer ${person}` });
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'MissingAppRole' } } });
    expect(denied.body.error.message).toContain('Alerts.Send');
    // The scanner's own application without the role (granted to it by default in the simulated tenant).
    const scannerId = env.local.env.AZURE_CLIENT_ID;
    env.local.sim.signIn.setApplicationRoles(scannerId, 'api', []);
    try {
      const { createAzureClients } = await import('../../src/azure/clients');
      const fresh = await createAzureClients(env.settings).credential.getToken(`${env.settings.apiAudience}/.default`);
      const noRole = await env.post(JSON.stringify({ runId: 'scan-1' }), { authorization: `Bearer ${fresh!.token}` });
      expect(noRole).toMatchObject({ status: 403, body: { error: { code: 'MissingAppRole' } } });
    } finally {
      env.local.sim.signIn.setApplicationRoles(scannerId, 'api', ['Alerts.Send']);
    }
    // A person whose group was given Alerts.Send all the same: the role is the scanner application's only.
    const group = '7fcd5a6b-0e8c-4db4-9c65-4a9b1e2f3c54';
    env.local.sim.signIn.setGroupRoles(group, 'api', ['Alerts.Send']);
    try {
      const holder = env.local.sim.signIn.userToken({ ...DEMO_USER, groups: [group] });
      const personal = await env.post(JSON.stringify({ runId: 'scan-1' }), { authorization: `Bearer ${holder}` });
      expect(personal).toMatchObject({ status: 403, body: { error: { code: 'ApplicationOnlyRole' } } });
    } finally {
      env.local.sim.signIn.setGroupRoles(group, 'api', []);
    }
    expect((await env.post(JSON.stringify({ runId: 'scan-1' }), { authorization: '' })).status).toBe(401);
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
    expect(env.local.sim.counters.snapshot().teams ?? 0).toBe(0);
  });

  it('5 simultaneous calls for one run: exactly one Teams post and one mail per recipient', async () => {
    await stored('parallel-1', 'kappa', owner);
    const results = await Promise.all(Array.from({ length: 5 }, () => env.notify('parallel-1')));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(cards()).toHaveLength(1);
    expect(env.local.sim.counters.snapshot().teams).toBe(1);
    expect(mailCount()).toEqual({ 'secops@contoso.com': 1, [owner]: 1 });
    // Each delivery was sent by exactly one call; the others saw it in progress or done.
    for (const key of ['teams:webhook', 'mail:secops@contoso.com', `mail:${owner}`]) {
      const seen = results.map((r) => statuses(r.body)[key]);
      expect([key, seen.filter((s) => s === 'delivered').length]).toEqual([key, 1]);
      expect(seen.every((s) => ['delivered', 'in_progress', 'skipped_duplicate'].includes(s))).toBe(true);
    }
  });
});

describe('delivery under faults', () => {
  it('a crash between claim and send: a parallel call does not send; the queued guard sends it once after the lease', async () => {
    const batch = await stored('crash-1', 'lambda');
    // What a notifier had done when it died: claimed Teams and left its guard message; nothing was sent.
    const claims = new DeliveryClaims(env.local.clients);
    const claim = await claims.acquire(
      { runId: batch.runId, channel: 'teams', recipient: 'webhook' },
      'fresh',
      env.clock.now,
      TEST_POLICY.leaseMs,
    );
    expect(claim.kind).toBe('owned');
    await new DeliveryQueue(env.local.clients).send(
      {
        v: 1,
        kind: 'delivery',
        runId: batch.runId,
        channel: 'teams',
        recipient: 'webhook',
        audience: 'digest',
        attempts: 0,
        firstAttemptAt: env.clock.now.toISOString(),
      },
      0,
    );
    const during = await env.notify('crash-1');
    expect(statuses(during.body)['teams:webhook']).toBe('in_progress');
    expect(cards()).toHaveLength(0);

    env.clock.now = new Date(env.clock.now.getTime() + TEST_POLICY.leaseMs + 1000);
    expect(await env.pump()).toBe(1);
    expect(cards()).toHaveLength(1);
    expect(cardText(cards()[0])).toContain('lambda');
    expect(statuses((await env.notify('crash-1')).body)['teams:webhook']).toBe('skipped_duplicate');
    expect(await env.pump()).toBe(0);
    expect(cards()).toHaveLength(1);
  });

  it('Teams and mail down for 3 simulated days: every alert is delivered exactly once afterwards', async () => {
    const runs = ['down-1', 'down-2'];
    await stored(runs[0], 'mu', owner);
    await stored(runs[1], 'nu');
    env.local.sim.faults.set('teams', { errorRate: 1, errorStatus: 503 });
    env.local.sim.faults.set('graph.sendMail', { errorRate: 1, errorStatus: 500 });
    const start = env.clock.now.getTime();
    for (const runId of runs) {
      const r = await env.notify(runId);
      expect(Object.values(statuses(r.body)).every((s) => s === 'queued')).toBe(true);
    }
    let rounds = 0;
    while (env.clock.now.getTime() - start < 3 * DAY) {
      env.clock.now = new Date(env.clock.now.getTime() + 3 * 3600 * 1000);
      expect(await env.pump()).toBe(5); // every queued delivery retried, none lost or doubled
      rounds += 1;
    }
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
    expect(env.local.sim.counters.snapshot().teams).toBeGreaterThan(rounds * 2);

    env.local.sim.faults.clear();
    env.clock.now = new Date(env.clock.now.getTime() + 3 * 3600 * 1000);
    expect(await env.pump()).toBe(5);
    expect(await env.pump()).toBe(0);
    expect(cards()).toHaveLength(2);
    expect(
      cards()
        .map((c) => (textRuns(c.attachments[0].content).includes('mu') ? 'mu' : 'nu'))
        .sort(),
    ).toEqual(['mu', 'nu']);
    expect(mailCount()).toEqual({ 'secops@contoso.com': 2, [owner]: 1 });
    expect(await env.poisoned()).toEqual([]);
    for (const runId of runs) {
      expect(Object.values(statuses((await env.notify(runId)).body)).every((s) => s === 'skipped_duplicate')).toBe(
        true,
      );
    }
    expect(cards()).toHaveLength(2);
    expect(env.logs.join('\n')).toMatch(/teams of run "down-1" delivered on attempt (2[5-9]|[3-9]\d)/);
  });

  it('a delivery failing past its limit goes to the poison queue, is logged, and shows in the next digest', async () => {
    await stored('dead-1', 'xi');
    env.local.sim.faults.set('teams', { errorRate: 1, errorStatus: 503 });
    const start = env.clock.now.getTime();
    const r = await env.notify('dead-1');
    expect(statuses(r.body)).toMatchObject({ 'teams:webhook': 'queued', 'mail:secops@contoso.com': 'delivered' });
    const poisonedRun = async () => (await env.poisoned()).filter((m) => m.runId === 'dead-1');
    while ((await poisonedRun()).length === 0) {
      expect(env.clock.now.getTime() - start).toBeLessThan(8 * DAY);
      env.clock.now = new Date(env.clock.now.getTime() + 6 * 3600 * 1000);
      await env.pump();
    }
    expect(env.clock.now.getTime() - start).toBeGreaterThanOrEqual(7 * DAY);
    expect(await poisonedRun()).toEqual([
      expect.objectContaining({
        kind: 'delivery',
        runId: 'dead-1',
        channel: 'teams',
        poisonReason: expect.any(String),
      }),
    ]);
    expect(env.logs.join('\n')).toMatch(/teams of run "dead-1" GIVEN UP after \d+ attempt/);
    expect(await env.pump()).toBe(0);

    env.local.sim.faults.clear();
    await stored('after-dead-1', 'omicron');
    await env.notify('after-dead-1');
    expect(cards()).toHaveLength(1);
    const card = cards()[0].attachments[0].content;
    expect(cardTexts(card)).toContain('Deliveries given up since the last digest: 1');
    expect(textRuns(card).join('\n')).toMatch(/^Teams, run dead-1: 1 alert\(s\) given up after \d+ attempt\(s\)/m);
    const digest = mails().find((m) => m.to[0] === MAIL_TO[0] && m.html.includes('omicron'))!;
    expect(digest.html).toContain('Deliveries given up since the last digest: 1');
    // Reported once: the digest after that one no longer lists it.
    await stored('after-dead-2', 'pi');
    await env.notify('after-dead-2');
    expect(cardText(cards()[1])).not.toContain('given up');
    for (const text of cardTexts(card)) expect(hasBackslashEscape(text)).toBe(false);
  });

  it('a notifier that cannot be reached: the run goes to the queue and is delivered from there, once', async () => {
    const r = report('unreachable-1', [cluster('eta', [finding('aks_entra_id_enabled', 'fail', 'high')])]);
    const batch = await recordAlerts({
      settings: env.settings,
      clients: env.local.clients,
      previous: undefined,
      report: r,
      log: (l) => env.logs.push(l),
    });
    const handed = await handOverAlerts({
      settings: { notifyUrl: 'http://127.0.0.1:9/api/notify' },
      clients: env.local.clients,
      runId: 'unreachable-1',
      alerts: batch.alerts.length,
      log: (l) => env.logs.push(l),
      retry: { attempts: 1 },
    });
    expect(handed).toEqual({ alerts: 1, handedTo: 'queue' });
    expect(cards()).toHaveLength(0);
    expect(await env.pump()).toBe(1);
    expect(cards()).toHaveLength(1);
    expect(textRuns(cards()[0].attachments[0].content)).toContain('eta');
    expect(statuses((await env.notify('unreachable-1')).body)['teams:webhook']).toBe('skipped_duplicate');
    expect(cards()).toHaveLength(1);
  });

  it('a throttled sendMail is retried after its Retry-After and mails once; Teams is unaffected', async () => {
    env.local.sim.faults.set('graph.sendMail', { failNext: { count: 1, kind: 'throttle' }, retryAfterSeconds: 1 });
    await stored('mail-throttled-1', 'rho');
    const r = await env.notify('mail-throttled-1');
    expect(statuses(r.body)).toEqual({ 'teams:webhook': 'delivered', 'mail:secops@contoso.com': 'delivered' });
    expect(env.local.sim.counters.snapshot()['graph.sendMail']).toBe(2);
    expect(mails()).toHaveLength(1);
    expect(cards()).toHaveLength(1);
  });

  it('a queued message naming a recipient the run does not have is refused (poison), never mailed', async () => {
    await stored('forged-msg-1', 'sigma');
    await new DeliveryQueue(env.local.clients).send(
      {
        v: 1,
        kind: 'delivery',
        runId: 'forged-msg-1',
        channel: 'mail',
        recipient: 'victim@contoso.com',
        audience: 'digest',
        attempts: 0,
        firstAttemptAt: env.clock.now.toISOString(),
      },
      0,
    );
    const before = (await env.poisoned()).length;
    expect(await env.pump()).toBe(1);
    expect(mails()).toHaveLength(0);
    expect((await env.poisoned()).length).toBe(before + 1);
  });

  // Last: its message stays invisible for a real minute.
  it('back-off is the queue message visibility timeout: a failed delivery waits invisibly in the queue', async () => {
    await stored('backoff-1', 'tau');
    env.local.sim.faults.set('teams', { errorRate: 1, errorStatus: 503 });
    const token = await env.local.clients.credential.getToken(`${env.settings.apiAudience}/.default`);
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/notify',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token!.token}` },
      body: { string: JSON.stringify({ runId: 'backoff-1' }) },
    });
    const response = await handleNotify(request, contextFor(env.logs), {
      ...env.deps,
      policy: DEFAULT_RETRY_POLICY,
      now: () => new Date(),
    });
    expect(JSON.parse(String(response.body)).deliveries[0]).toMatchObject({ channel: 'teams', status: 'queued' });
    const queue = env.local.clients.queueClient(DELIVERY_QUEUE);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
    expect((await queue.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems).toEqual([]);
    expect(env.logs.join('\n')).toMatch(/teams of run "backoff-1" failed .*; retry 2 in 60 s/);
  });
});

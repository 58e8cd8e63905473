// The notifier end to end: scanner-side posting, Teams sink and Graph sendMail in the simulator, Azurite tables.
import { computeAlertBatch, type AlertBatch } from '../../src/alerts/alerts';
import { notifyAfterScan } from '../../src/alerts/afterScan';
import { flushOutbox } from '../../src/alerts/notifier';
import { AlertOutbox } from '../../src/alerts/tables';
import type { ScanReport } from '../../src/model';
import { adaptiveCardProblems, cardTexts } from './cardValidation';
import { MAIL_TO, resetSim, startNotifierEnv, type NotifierEnv } from './notifierHarness';
import { cluster, finding, report } from './reports';

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
const owner = 'team-beta@contoso.com';

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
  ]);
}

const scan = (previous: ScanReport | undefined, current: ScanReport, settings = env.settings) =>
  notifyAfterScan({
    settings,
    clients: env.local.clients,
    previous,
    report: current,
    log: (line) => env.logs.push(line),
    retry: { baseDelayMs: 20, maxDelayMs: 5000, attempts: 2 },
  });

describe('scanner -> notifier -> Teams and mail', () => {
  const r1 = fleetReport('scan-1');
  const r2 = fleetReport('scan-2');
  const r3 = fleetReport('scan-3', true);

  it('a first scan alerts the existing fails at or above the threshold, in one valid card and the mails', async () => {
    const result = await scan(undefined, r1);
    expect(result).toMatchObject({ alerts: 4, posted: 1, queued: 0 });
    expect(env.frontRequests.at(-1)?.key).toBe('test-function-key');
    expect(cards()).toHaveLength(1);
    const text = cardText(cards()[0]);
    expect(text).toContain('4 changes');
    for (const name of ['alpha', 'beta', 'gamma']) expect(text).toContain(name);
    expect(text).not.toContain('aks\\_auto\\_upgrade\\_enabled'); // medium: below the threshold
    expect(adaptiveCardProblems(cards()[0].attachments[0].content).problems).toEqual([]);
    const sent = mails();
    expect(sent.map((m) => m.to.join(',')).sort()).toEqual([...MAIL_TO, owner].sort());
    expect(sent.every((m) => m.sender === 'aks-alerts@contoso.com')).toBe(true);
    const ownerMail = sent.find((m) => m.to[0] === owner)!;
    expect(ownerMail.html).toContain('beta');
    expect(ownerMail.html).not.toContain('alpha');
    expect(env.logs.join('\n')).toMatch(/gamma.*not an email address/);
  });

  it('an unchanged second scan alerts nothing and posts nothing', async () => {
    const before = env.frontRequests.length;
    const result = await scan(r1, r2);
    expect(result).toMatchObject({ alerts: 0, posted: 0 });
    expect(env.frontRequests.length).toBe(before);
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
  });

  it('a new critical, a resolved, a raised severity and an expired exemption each appear once', async () => {
    const result = await scan(r2, r3);
    expect(result).toMatchObject({ alerts: 4, posted: 1 });
    expect(cards()).toHaveLength(1);
    const text = cardText(cards()[0]);
    for (const label of ['new fail', 'resolved', 'severity raised', 'exemption expired']) {
      expect(text.split(label).length - 1).toBe(1);
    }
    const ownerMails = mails().filter((m) => m.to[0] === owner);
    expect(ownerMails).toHaveLength(1);
    expect(ownerMails[0].html).toContain('severity raised');
    expect(ownerMails[0].html).toContain('exemption expired');
    expect(ownerMails[0].html).not.toContain('gamma');
  });

  it('a re-posted batch delivers nothing new', async () => {
    const batch = computeAlertBatch(r2, r3, { minSeverity: 'high', ownerTag: 'owner' });
    const again = await env.post(JSON.stringify(batch));
    expect(again.status).toBe(200);
    expect(again.body.channels.map((c: { status: string }) => c.status)).toEqual([
      'skipped_duplicate',
      'skipped_duplicate',
      'skipped_duplicate',
    ]);
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
  });
});

function singleBatch(runId: string, name = 'delta', ownerTag?: string): AlertBatch {
  const r = report(runId, [
    cluster(
      name,
      [finding('aks_version_supported', 'fail', 'critical')],
      ownerTag ? { tags: { owner: ownerTag } } : {},
    ),
  ]);
  return computeAlertBatch(undefined, r, { minSeverity: 'high', reportUrl: 'https://reports.contoso.com/latest' });
}

describe('delivery under faults', () => {
  it('a 429 then 202 from the Teams sink delivers once, after the Retry-After', async () => {
    env.local.sim.faults.set('teams', { failNext: { count: 1, kind: 'throttle' }, retryAfterSeconds: 1 });
    const started = Date.now();
    const r = await env.post(JSON.stringify(singleBatch('throttled-1')));
    const elapsed = Date.now() - started;
    expect(r.status).toBe(200);
    expect(r.body.channels.find((c: { channel: string }) => c.channel === 'teams')).toMatchObject({
      status: 'delivered',
      alerts: 1,
    });
    expect(env.local.sim.counters.snapshot().teams).toBe(2);
    expect(cards()).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
  });

  it('a Teams sink that keeps failing leaves the alert in the outbox, email still goes out, and the next run delivers it', async () => {
    env.local.sim.faults.set('teams', { errorRate: 1, errorStatus: 503 });
    const first = await env.post(JSON.stringify(singleBatch('teams-down-1')));
    expect(first.status).toBe(200);
    const byChannel = Object.fromEntries(
      first.body.channels.map((c: { channel: string; status: string }) => [c.channel, c.status]),
    );
    expect(byChannel).toEqual({ teams: 'queued', mail: 'delivered' });
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(1);
    const pending = await new AlertOutbox(env.local.clients).pending();
    expect(pending.map((p) => [p.kind, p.channel, p.runId])).toEqual([['delivery', 'teams', 'teams-down-1']]);

    env.local.sim.faults.clear();
    const next = await env.post(JSON.stringify(singleBatch('teams-up-2', 'epsilon')));
    expect(next.body.outbox).toMatchObject({ delivered: 1, stillPending: 0 });
    expect(cards()).toHaveLength(2);
    expect(cardText(cards()[0])).toContain('delta');
    expect(await new AlertOutbox(env.local.clients).pending()).toEqual([]);
    expect(mails()).toHaveLength(2); // the queued Teams alert was not mailed again
  });

  it('a throttled sendMail is retried after its Retry-After and mails once; Teams is unaffected', async () => {
    env.local.sim.faults.set('graph.sendMail', { failNext: { count: 1, kind: 'throttle' }, retryAfterSeconds: 1 });
    const r = await env.post(JSON.stringify(singleBatch('mail-throttled-1', 'kappa')));
    const byChannel = Object.fromEntries(
      r.body.channels.map((c: { channel: string; status: string }) => [c.channel, c.status]),
    );
    expect(byChannel).toEqual({ teams: 'delivered', mail: 'delivered' });
    expect(env.local.sim.counters.snapshot()['graph.sendMail']).toBe(2);
    expect(mails()).toHaveLength(1);
    expect(cards()).toHaveLength(1);
  });

  it('a mailbox that refuses (403) queues the mail and does not hold back Teams', async () => {
    env.local.sim.faults.set('graph.sendMail', { forbidden: true });
    const r = await env.post(JSON.stringify(singleBatch('mail-denied-1', 'lambda')));
    const byChannel = Object.fromEntries(
      r.body.channels.map((c: { channel: string; status: string }) => [c.channel, c.status]),
    );
    expect(byChannel).toEqual({ teams: 'delivered', mail: 'queued' });
    expect(r.body.channels.find((c: { channel: string }) => c.channel === 'mail').error).toMatch(/403/);
    expect(cards()).toHaveLength(1);
    env.local.sim.faults.clear();
    const outbox = new AlertOutbox(env.local.clients);
    expect((await outbox.pending()).map((p) => p.channel)).toEqual(['mail']);
    const flushed = await flushOutbox({ settings: env.settings, clients: env.local.clients, log: () => undefined });
    expect(flushed).toMatchObject({ delivered: 1, stillPending: 0 });
    expect(mails()).toHaveLength(1);
    expect(mails()[0].html).toContain('lambda');
    expect(cards()).toHaveLength(1);
  });

  it('an outbox entry older than 24 hours is marked dead and logged, not retried', async () => {
    env.local.sim.faults.set('teams', { errorRate: 1 });
    await env.post(JSON.stringify(singleBatch('dead-1', 'zeta')));
    env.local.sim.faults.clear();
    const logs: string[] = [];
    const later = new Date(Date.now() + 25 * 3600 * 1000);
    const result = await flushOutbox({
      settings: env.settings,
      clients: env.local.clients,
      log: (l) => logs.push(l),
      now: () => later,
    });
    expect(result).toMatchObject({ dead: 1, delivered: 0 });
    expect(logs.join('\n')).toMatch(/dead after 24 hours/);
    expect(cards().filter((c) => cardText(c).includes('zeta'))).toHaveLength(0);
    expect(await new AlertOutbox(env.local.clients).pending()).toEqual([]);
  });

  it('a notifier that cannot be reached keeps the batch in the outbox; the next scan delivers it once', async () => {
    const down = { ...env.settings, notifyUrl: 'http://127.0.0.1:9/api/notify' };
    const r = report('unreachable-1', [cluster('eta', [finding('aks_entra_id_enabled', 'fail', 'high')])]);
    const first = await scan(undefined, r, down);
    expect(first).toMatchObject({ alerts: 1, posted: 0, queued: 1 });
    expect(cards()).toHaveLength(0);
    const second = await scan(r, { ...r, runId: 'unreachable-2' });
    expect(second).toMatchObject({ alerts: 0, outbox: { delivered: 1 } });
    expect(cards()).toHaveLength(1);
    expect(cardText(cards()[0])).toContain('eta');
    const third = await scan(r, { ...r, runId: 'unreachable-3' });
    expect(third.outbox.delivered).toBe(0);
    expect(cards()).toHaveLength(1);
  });

  it('without a notify URL the scanner logs one line and does nothing', async () => {
    const logs: string[] = [];
    const result = await notifyAfterScan({
      settings: { ...env.settings, notifyUrl: undefined },
      clients: env.local.clients,
      previous: undefined,
      report: fleetReport('no-url'),
      log: (l) => logs.push(l),
    });
    expect(result.skipped).toBe('not_configured');
    expect(logs).toHaveLength(1);
  });
});

describe('run history', () => {
  it('a cluster unreadable for two runs in a row alerts once; the run before previous is read from the store', async () => {
    const at = (runId: string, status: 'fail' | 'unknown') =>
      report(runId, [cluster('iota', [finding('aks_admin_groups_valid', status, 'high')])]);
    const runs = [at('u1', 'fail'), at('u2', 'unknown'), at('u3', 'unknown'), at('u4', 'unknown')];
    // A run narrowed to another subscription sits between u1 and u2: it is not the fleet's run before previous.
    const narrowed = { ...at('n1', 'unknown'), scope: { subscriptions: ['other'], managementGroups: [] } };
    const storeUpTo = (n: number) => ({
      listRuns: async () =>
        [...runs.slice(0, n), ...(n >= 2 ? [narrowed] : [])]
          .sort((a, b) => order(b) - order(a))
          .map((r) => ({ runId: r.runId, status: 'completed', complete: true, scope: r.scope })),
      getRunReport: async (runId: string) => [...runs, narrowed].find((r) => r.runId === runId),
    });
    const order = (r: ScanReport) => (r.runId === 'n1' ? 1.5 : Number(r.runId.slice(1)));
    const run = (n: number) =>
      notifyAfterScan({
        settings: env.settings,
        clients: env.local.clients,
        store: storeUpTo(n),
        previous: runs[n - 2],
        report: runs[n - 1],
        log: (line) => env.logs.push(line),
      });
    expect((await run(2)).alerts).toBe(0);
    expect((await run(3)).alerts).toBe(1);
    expect((await run(4)).alerts).toBe(0);
    expect(cards()).toHaveLength(1);
    expect(cardText(cards()[0])).toContain('unreadable');
  });
});

describe('notifier input', () => {
  it('an owner tag with an invalid address is reported, not mailed', async () => {
    const r = await env.post(JSON.stringify(singleBatch('bad-owner-1', 'theta', 'not-an-address; x@contoso.com')));
    expect(r.status).toBe(200);
    expect(r.body.invalidOwners).toEqual([
      expect.objectContaining({ clusterName: 'theta', reason: expect.stringMatching(/not an email/) }),
    ]);
    expect(mails().map((m) => m.to)).toEqual([MAIL_TO]);
  });

  it('answers 413 over 1 MB, 400 for bad JSON and bad UTF-8, 400 naming the field, 415 for other types', async () => {
    expect((await env.post('{"a":"' + 'x'.repeat(1024 * 1024) + '"}')).status).toBe(413);
    expect(await env.post('{"runId":')).toMatchObject({ status: 400, body: { error: { code: 'InvalidJson' } } });
    expect((await env.post(new Uint8Array([0x7b, 0xff, 0x7d]))).body.error.code).toBe('InvalidEncoding');
    const bad = JSON.parse(JSON.stringify(singleBatch('bad-field')));
    bad.alerts[0].transition = 'exploded';
    const r = await env.post(JSON.stringify(bad));
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'InvalidBatch' } } });
    expect(r.body.error.message).toContain('/alerts/0/transition');
    expect((await env.post('{}', { 'content-type': 'text/html' })).status).toBe(415);
    expect(cards()).toHaveLength(0);
  });

  it('an empty batch delivers nothing', async () => {
    const batch = computeAlertBatch(undefined, report('empty-1', []), { minSeverity: 'high' });
    const r = await env.post(JSON.stringify(batch));
    expect(r.status).toBe(200);
    expect(cards()).toHaveLength(0);
    expect(mails()).toHaveLength(0);
  });
});

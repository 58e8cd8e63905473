// The notifier down for one scan run, then back; and the timer retrying a run that already finished. Delivery retries
// themselves are covered by test/alerts/notifier.test.ts; here the runs are real scans with the store, through
// runScanJob and the timer handler.
import { InvocationContext, type Timer } from '@azure/functions';
import { nightlyScanHandler, timerRunId } from '../../src/functions/nightlyScan';
import { DEFAULT_AS_OF, mutateFleet } from '../../sim/fleet/generator';
import { acceptedKeys, startFaultEnv, type FaultEnv } from './harness';

jest.setTimeout(120_000);

let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv();
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

it('the notifier down for one run: that run completes, its run goes to the delivery queue and is delivered from there once, without waiting for the next run', async () => {
  const first = await env.job({ asOf: DEFAULT_AS_OF });
  expect(first.alerts?.handedTo).toBe('notifier');
  const cardsAfterFirst = env.local.sim.captured.teams.length;
  const mailsAfterFirst = env.local.sim.captured.mail.length;

  // Four clusters change (new fails and resolved ones); the notifier is down for this run.
  env.setFleet(mutateFleet(env.generated, 4, 11));
  env.notifier.up = false;
  const down = await env.job({ asOf: DEFAULT_AS_OF });
  expect(down.run.status).toBe('completed');
  expect(down.alerts?.alerts).toBeGreaterThan(0);
  expect(down.alerts?.handedTo).toBe('queue');
  expect(env.notifier.refused).toBeGreaterThan(0);
  expect(env.local.sim.captured.teams.length).toBe(cardsAfterFirst);

  // The queue's function delivers the stored batch now (the notifier's HTTP front is still down).
  expect(await env.pump()).toBe(1);
  expect(env.local.sim.captured.teams.length).toBe(cardsAfterFirst + 1);
  expect(env.local.sim.captured.mail.length).toBeGreaterThan(mailsAfterFirst);
  const card = JSON.stringify(env.local.sim.captured.teams.at(-1));
  const expected = await expectedKeysOf(down.runId);
  const stored = (await env.store.getRunReport(down.runId))!;
  for (const key of expected) {
    const clusterId = key.split('|')[1];
    const name = stored.clusters.find((c) => c.id.toLowerCase() === clusterId)?.name ?? '';
    expect(card).toContain(name);
  }

  // Once only: the notifier back up, a further unchanged run alerts nothing, and the queue is empty.
  env.notifier.up = true;
  const cards = env.local.sim.captured.teams.length;
  const later = await env.job({ asOf: DEFAULT_AS_OF });
  expect(later.alerts?.alerts ?? 0).toBe(0);
  expect(await env.pump()).toBe(0);
  expect(env.local.sim.captured.teams.length).toBe(cards);
  const all = acceptedKeys(env);
  expect(new Set(all).size).toBe(all.length);
});

/** The alert keys a run's batch holds, recomputed from the store (what should eventually be delivered). */
async function expectedKeysOf(runId: string): Promise<string[]> {
  const { computeAlertBatch } = await import('../../src/alerts/alerts');
  const runs = await env.store.listRuns(10);
  const at = runs.findIndex((r) => r.runId === runId);
  const previous = await env.store.getRunReport(runs[at + 1].runId);
  const current = await env.store.getRunReport(runId);
  return computeAlertBatch(previous, current!, {
    minSeverity: env.settings.alertMinSeverity,
  }).alerts.map((a) => a.key);
}

it('the timer retrying an occurrence that already ran: the same run ID, nothing written twice, no alert twice', async () => {
  env.setFleet(mutateFleet(env.generated, 3, 12));
  const occurrence = new Date();
  occurrence.setUTCSeconds(0, 0);
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: {
      last: new Date(occurrence.getTime() - 86_400_000).toISOString(),
      next: occurrence.toISOString(),
      lastUpdated: occurrence.toISOString(),
    },
  };
  const deps = { settings: env.settings, clients: env.local.clients, store: env.store, now: () => occurrence };
  const ctx = () =>
    new InvocationContext({ invocationId: 'timer', functionName: 'nightlyScan', logHandler: () => undefined });
  const runId = timerRunId(timer, occurrence);

  const keys = acceptedKeys(env).length;
  await nightlyScanHandler(timer, ctx(), deps);
  expect((await env.store.getRun(runId))?.status).toBe('completed');
  const firstKeys = acceptedKeys(env).slice(keys);
  expect(firstKeys.length).toBeGreaterThan(0);
  const cards = env.local.sim.captured.teams.length;
  const mails = env.local.sim.captured.mail.length;

  env.store.resetCounters();
  await nightlyScanHandler({ ...timer, isPastDue: true }, ctx(), deps);
  const c = env.store.counters.byTable;
  expect(c.latest.entities + c.changes.entities + c.history.entities).toBe(0);
  expect(acceptedKeys(env).slice(keys)).toEqual(firstKeys);
  expect(env.local.sim.captured.teams.length).toBe(cards);
  expect(env.local.sim.captured.mail.length).toBe(mails);
  expect((await env.store.listRuns(20)).filter((r) => r.runId === runId)).toHaveLength(1);
});

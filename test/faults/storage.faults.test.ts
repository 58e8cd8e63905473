// Table Storage going away in the middle of a run's writes, then coming back; and the timer's retry of that run.
// test/store/scanStore.test.ts covers storage coming back while the job is still trying to record the failure; here
// storage stays down until the job has given up (as a Functions invocation ends), and comes back afterwards. The
// store alone is covered by test/store/findingStore.test.ts.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { handleGetReport } from '../../src/http/reports';
import { DEMO_USER } from '../../sim';
import { DEFAULT_AS_OF, mutateFleet } from '../../sim/fleet/generator';
import {
  acceptedKeys,
  diffVerdicts,
  smallFleet,
  startFaultEnv,
  truthVerdicts,
  verdicts,
  type FaultEnv,
} from './harness';

jest.setTimeout(180_000);

let env: FaultEnv;
afterAll(async () => {
  await env?.stop();
});

function context(): InvocationContext {
  return new InvocationContext({ invocationId: 'faults', functionName: 'reports', logHandler: () => undefined });
}

describe("Azurite stopped in the middle of a run's writes, then started again", () => {
  const runId = '20261127T020000Z-timer';
  let first: Awaited<ReturnType<FaultEnv['job']>>;
  let changed: ReturnType<typeof mutateFleet>;
  let keysBefore = 0;
  let retryKeys: string[] = [];

  beforeAll(async () => {
    env = await startFaultEnv({
      generated: smallFleet({ seed: 47, clusters: 160, subscriptions: 6, regions: 3, poolsPerCluster: 1 }),
      azurite: { persistent: true },
    });
    const azurite = env.local.azurite!;
    first = await env.job({ asOf: DEFAULT_AS_OF });
    // A clean stop and start: the first run is on disk, as it would be after any quiet period.
    await azurite.stop();
    await azurite.start();

    // Every cluster changes, so the next run has hundreds of rows to write.
    changed = mutateFleet(env.generated, 160, 5);
    env.setFleet(changed);
    keysBefore = acceptedKeys(env).length;
    const teamsBefore = env.local.sim.captured.teams.length;

    // Stop Azurite as soon as the run starts writing its change set. (A clean stop: a SIGKILL would also lose what
    // Azurite had acknowledged but not yet saved, which Table Storage never does.)
    env.store.resetCounters();
    const watcher = setInterval(() => {
      const c = env.store.counters.byTable;
      if (c.changes.transactions + c.history.transactions + c.latest.transactions > 0 && azurite.running()) {
        clearInterval(watcher);
        void azurite.stop();
      }
    }, 1);
    let failure: unknown;
    try {
      await env.job({ asOf: DEFAULT_AS_OF, runId });
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(watcher);
    }
    expect(failure).toBeDefined();
    expect(azurite.running()).toBe(false);
    // Nothing was alerted for a run that was not recorded.
    expect(acceptedKeys(env).length).toBe(keysBefore);
    expect(env.local.sim.captured.teams.length).toBe(teamsBefore);
    await azurite.start();
  }, 240_000);

  it('the report endpoint serves the previous completed run', async () => {
    const response = await handleGetReport(
      new HttpRequest({
        method: 'GET',
        url: 'http://localhost/api/reports/latest',
        params: { runId: 'latest' },
        headers: { authorization: `Bearer ${env.local.sim.signIn.userToken(DEMO_USER)}` },
      }),
      context(),
      { settings: env.settings, clients: env.local.clients, store: env.store },
    );
    expect(response.status).toBe(200);
    const served = JSON.parse(String(response.body));
    expect(served.runId).toBe(first.runId);
    expect(diffVerdicts(verdicts(served), verdicts(first.report))).toEqual([]);
  });

  it('the interrupted run is recorded as failed once storage is back', async () => {
    expect((await env.store.getRun(runId))?.status).toBe('failed');
  });

  it('the timer retry of the same run ID completes it as a clean run would, alerting once', async () => {
    const retry = await env.job({ asOf: DEFAULT_AS_OF, runId });
    expect(retry.run.status).toBe('completed');
    expect(diffVerdicts(verdicts(retry.report), truthVerdicts(changed))).toEqual([]);
    const latest = await env.store.getLatestReport();
    expect(latest?.runId).toBe(runId);
    expect(diffVerdicts(verdicts(latest!), verdicts(retry.report))).toEqual([]);
    // History intact: the first run's report is rebuilt exactly.
    const firstAgain = await env.store.getRunReport(first.runId);
    expect(diffVerdicts(verdicts(firstAgain!), verdicts(first.report))).toEqual([]);
    // Alerted once, each key once.
    retryKeys = acceptedKeys(env).slice(keysBefore);
    expect(retryKeys.length).toBeGreaterThan(0);
    expect(new Set(retryKeys).size).toBe(retryKeys.length);
    expect(retryKeys.every((k) => k.startsWith(`${runId}|`))).toBe(true);
  });

  it('another retry of the finished run writes no state and alerts nothing', async () => {
    expect(retryKeys.length).toBeGreaterThan(0);
    env.store.resetCounters();
    const teams = env.local.sim.captured.teams.length;
    const again = await env.job({ asOf: DEFAULT_AS_OF, runId });
    expect(again.run.status).toBe('completed');
    const c = env.store.counters.byTable;
    expect(c.latest.entities + c.changes.entities + c.history.entities).toBe(0);
    expect(acceptedKeys(env).slice(keysBefore)).toEqual(retryKeys);
    expect(env.local.sim.captured.teams.length).toBe(teams);
    expect((await env.store.listRuns(10)).filter((r) => r.runId === runId)).toHaveLength(1);
  });
});

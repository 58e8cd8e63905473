// Resource Graph misbehaving under a whole scan run (runScanJob: scan, store, alerts). The reader alone is covered by
// test/scan/resourceGraph.test.ts (quota waits, 429 storm, a page that keeps failing, forbidden subscriptions); here
// the question is what the report, the store and the alerts say when it happens in a run.
import { DEFAULT_AS_OF, changeClusters } from '../../sim/fleet/generator';
import {
  acceptedKeys,
  diffVerdicts,
  smallFleet,
  startFaultEnv,
  truthVerdicts,
  verdicts,
  type FaultEnv,
} from './harness';

// A page that stays down is given up only after the reader's back-off (about 90 s of retries): a guard, not a target.
jest.setTimeout(300_000);

describe('Resource Graph quota spent and 429 storms during a run', () => {
  let env: FaultEnv;
  afterEach(async () => {
    await env?.stop();
  });

  it('a quota of 2 queries per second: the run waits for the window instead of collecting 429s, and completes', async () => {
    env = await startFaultEnv({ simulator: { quota: { limit: 2, windowMs: 1000 } } });
    const started = Date.now();
    const result = await env.job({ asOf: DEFAULT_AS_OF });
    const elapsed = Date.now() - started;

    const calls = env.local.sim.counters.byStatus();
    const okCalls = calls['resourceGraph 200'] ?? 0;
    // Chains, clusters and role assignments: three queries through a quota of two per second.
    expect(okCalls).toBeGreaterThanOrEqual(3);
    expect(calls['resourceGraph 429'] ?? 0).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor((okCalls - 1) / 2) * 1000 - 50);

    expect(result.report.complete).toBe(true);
    expect(diffVerdicts(verdicts(result.report), truthVerdicts(env.generated))).toEqual([]);
    expect((await env.store.getRun(result.runId))?.status).toBe('completed');
    // A first run alerts the existing fails at or above the threshold (high), once.
    const keys = acceptedKeys(env);
    expect(keys.length).toBe(result.alerts?.alerts);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a 429 storm (60% of queries, Retry-After 0.2 s): every 429 waited out, the verdicts exact, nothing missing', async () => {
    env = await startFaultEnv();
    const baseline = await env.job({ asOf: DEFAULT_AS_OF });
    const delivered = env.local.sim.captured.teams.length;
    env.local.sim.counters.reset();
    env.local.sim.faults.set('resourceGraph', { throttleRate: 0.6, retryAfterSeconds: 0.2 });

    const stormy = await env.job({ asOf: DEFAULT_AS_OF });

    expect(env.local.sim.counters.byStatus()['resourceGraph 429']).toBeGreaterThan(0);
    expect(stormy.report.complete).toBe(true);
    expect(stormy.report.problems ?? []).toEqual([]);
    expect(diffVerdicts(verdicts(stormy.report), verdicts(baseline.report))).toEqual([]);
    expect(diffVerdicts(verdicts(stormy.report), truthVerdicts(env.generated))).toEqual([]);
    // The store: completed, and nothing changed in the latest state.
    expect(stormy.run.status).toBe('completed');
    expect(stormy.run.writes?.latest ?? 0).toBe(0);
    // Alerts: the same fleet, so nothing new to say.
    expect(stormy.alerts?.alerts ?? 0).toBe(0);
    expect(env.local.sim.captured.teams.length).toBe(delivered);
  });
});

describe('a middle page of the cluster inventory failing', () => {
  // 2,001 clusters: three pages of 1000, so page 2 is a middle page.
  const generated = smallFleet({
    seed: 43,
    clusters: 2001,
    subscriptions: 20,
    regions: 4,
    poolsPerCluster: 1,
    roleAssignments: 2001,
    principals: 300,
    adminGroups: 40,
  });
  let env: FaultEnv;
  let baseline: Awaited<ReturnType<FaultEnv['job']>>;

  beforeAll(async () => {
    env = await startFaultEnv({ generated });
    baseline = await env.job({ asOf: DEFAULT_AS_OF });
  }, 300_000);
  afterAll(async () => {
    await env?.stop();
  });

  /**
   * Injects faults on the second page of the clusters query. Resource Graph calls of a tenant-wide run go chains (1),
   * clusters page 1 (2), page 2 (3), ...; the simulator counts a request when it arrives and decides its fault after
   * its latency, so each fault is set while the request it targets waits. `plan[k]` is the fault for the k-th
   * request from page 2 on (its retries included).
   */
  function failSecondClusterPage(plan: Array<{ count: number; kind: 'error' | 'drop' }>): () => void {
    env.local.sim.counters.reset();
    env.local.sim.resetQuota();
    env.local.sim.faults.set('resourceGraph', { latencyMs: 150 });
    let step = 0;
    let at = 3;
    const timer = setInterval(() => {
      if (step >= plan.length) return;
      if ((env.local.sim.counters.snapshot().resourceGraph ?? 0) >= at) {
        env.local.sim.faults.set('resourceGraph', { latencyMs: 150, failNext: { ...plan[step] } });
        at += plan[step].count;
        step += 1;
      }
    }, 2);
    return () => {
      clearInterval(timer);
      env.local.sim.faults.clear();
    };
  }

  it('the baseline reads all three pages', () => {
    expect(baseline.report.complete).toBe(true);
    expect(baseline.report.clusters).toHaveLength(2001);
  });

  it('a 503 and then a dropped connection on page 2: retried, the run complete and identical, nothing written to the latest state', async () => {
    const done = failSecondClusterPage([
      { count: 1, kind: 'error' },
      { count: 1, kind: 'drop' },
    ]);
    try {
      const result = await env.job({ asOf: DEFAULT_AS_OF });
      const statuses = env.local.sim.counters.byStatus();
      expect(statuses['resourceGraph 503']).toBe(1);
      expect(statuses['resourceGraph dropped']).toBe(1);
      expect(result.report.complete).toBe(true);
      expect(result.report.clusters).toHaveLength(2001);
      expect(diffVerdicts(verdicts(result.report), verdicts(baseline.report))).toEqual([]);
      expect(result.run.status).toBe('completed');
      expect(result.run.writes?.latest ?? 0).toBe(0);
      expect(result.alerts?.alerts ?? 0).toBe(0);
    } finally {
      done();
    }
  });

  it('page 2 that stays down: the run is partial, names the failure, resolves nothing in the store, alerts only that it was partial', async () => {
    // Between the runs, 40 clusters that failed on local accounts fix it: a complete run would resolve those fails.
    const fixable = baseline.report.clusters
      .filter((c) => c.findings.some((f) => f.ruleId === 'aks_local_accounts_disabled' && f.status === 'fail'))
      .filter((_, i) => i % 7 === 0)
      .slice(0, 40)
      .map((c) => c.id);
    expect(fixable).toHaveLength(40);
    const fixed = changeClusters(env.generated, fixable, (c) => {
      c.disableLocalAccounts = true;
    });
    env.setFleet(fixed);
    const keysBefore = acceptedKeys(env).length;
    // The reader owns the retries (the factory's Resource Graph client no longer stacks the SDK's 3 retries under each
    // of its attempts): the run gives the page up after 12 failed requests, where it used to take 24.
    const done = failSecondClusterPage([{ count: 12, kind: 'error' }]);
    let result;
    try {
      result = await env.job({ asOf: DEFAULT_AS_OF });
    } finally {
      done();
    }

    // The report.
    expect(env.local.sim.counters.byStatus()['resourceGraph 503']).toBe(12);
    expect(result.report.complete).toBe(false);
    expect(result.report.clusters.length).toBeLessThan(2001);
    expect(result.report.problems?.some((p) => p.source === 'resourceGraph')).toBe(true);
    // The store: the run is partial; the latest state resolves no fail, neither for the fixed clusters the run read
    // nor for those it could not read. (GET /reports/latest serves what the partial run reported; the state behind
    // it is read per cluster.)
    expect(result.run.status).toBe('partial');
    const seen = new Set(result.report.clusters.map((c) => c.id.toLowerCase()));
    const fixedSeen = fixable.filter((id) => seen.has(id.toLowerCase()));
    const fixedUnseen = fixable.filter((id) => !seen.has(id.toLowerCase()));
    expect(fixedSeen.length).toBeGreaterThan(0);
    expect(fixedUnseen.length).toBeGreaterThan(0);
    for (const id of fixedSeen) {
      const reported = result.report.clusters.find((c) => c.id.toLowerCase() === id.toLowerCase());
      expect(reported?.findings.find((f) => f.ruleId === 'aks_local_accounts_disabled')?.status).toBe('pass');
    }
    for (const id of fixable) {
      const state = await env.store.getClusterHistory(id);
      const finding = state?.cluster.findings.find((f) => f.ruleId === 'aks_local_accounts_disabled');
      expect(`${id} ${finding?.status}`).toBe(`${id} fail`);
    }
    // The run's own report is what it returned; the latest complete run still judges as the baseline did.
    const own = await env.store.getRunReport(result.runId);
    expect(own?.complete).toBe(false);
    expect(own?.clusters).toHaveLength(result.report.clusters.length);
    const complete = await env.store.getLatestReport({ completeOnly: true });
    expect(complete?.runId).not.toBe(result.runId);
    expect(diffVerdicts(verdicts(complete!), verdicts(baseline.report))).toEqual([]);
    // Alerts: one partial_run alert, no resolved fail.
    const keys = acceptedKeys(env).slice(keysBefore);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/partial_run$/);
  }, 300_000);
});

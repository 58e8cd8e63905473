// "A fail is resolved only on positive evidence", end to end: runScanJob through the project's real SDK clients
// against the simulator, the FindingStore on Azurite, and the real notifier. Each way a read can be partial
// (a subscription Resource Graph leaves out, a lost page, role assignments unreadable, Graph unreadable, a scope too
// large for one query) is met once; in none of them is a fail resolved, the problem names what could not be read,
// and the alert says "no longer readable" once.
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DEFAULT_AS_OF } from '../../sim/fleet/generator';
import { QUERIES } from '../../src/inventory/queries';
import type { ScanReport } from '../../src/model';
import { startFaultEnv, verdicts, type FaultEnv } from '../faults/harness';

jest.setTimeout(300_000);

let env: FaultEnv;
let baseline: ScanReport;
const requests: {
  query: string;
  subscriptions?: string[];
  managementGroups?: string[];
  options?: Record<string, unknown>;
}[] = [];

/** Observes the Resource Graph request bodies the product sends (an SDK pipeline policy; the call goes on as it is). */
const recorder: PipelinePolicy = {
  name: 'recordResourceGraphRequests',
  async sendRequest(request, next) {
    if (typeof request.body === 'string' && request.url.includes('Microsoft.ResourceGraph')) {
      requests.push(JSON.parse(request.body) as (typeof requests)[number]);
    }
    return next(request);
  },
};

beforeAll(async () => {
  env = await startFaultEnv();
  env.local.clients.resourceGraph.pipeline.addPolicy(recorder);
  baseline = (await env.job({ asOf: DEFAULT_AS_OF })).report;
}, 300_000);
afterAll(async () => {
  await env?.stop();
});
afterEach(() => {
  env.local.sim.faults.clear();
  env.local.sim.counters.reset();
  env.local.sim.resetQuota();
  requests.length = 0;
});

/** Every fail of the baseline, as `clusterId rule`. */
function baselineFails(): string[] {
  const out: string[] = [];
  for (const [id, rules] of verdicts(baseline)) {
    for (const [rule, verdict] of Object.entries(rules)) if (verdict.startsWith('fail')) out.push(`${id} ${rule}`);
  }
  return out;
}

/** The fails of the baseline that the store's latest state no longer holds as fails. */
async function resolvedFails(): Promise<string[]> {
  const lost: string[] = [];
  const byCluster = new Map<string, string[]>();
  for (const entry of baselineFails()) {
    const [id, rule] = entry.split(' ');
    byCluster.set(id, [...(byCluster.get(id) ?? []), rule]);
  }
  for (const [id, rules] of byCluster) {
    const state = await env.store.getClusterHistory(id);
    for (const rule of rules) {
      const status = state?.cluster.findings.find((f) => f.ruleId === rule)?.status;
      if (status !== 'fail') lost.push(`${id} ${rule} -> ${status}`);
    }
  }
  return lost;
}

function newAlerts(before: number) {
  return env.notifier.accepted.flatMap((b) => b.alerts).slice(before);
}

function alertCount(): number {
  return env.notifier.accepted.flatMap((b) => b.alerts).length;
}

const subscriptionsOf = (report: ScanReport): string[] => [...new Set(report.clusters.map((c) => c.subscriptionId))];

describe('a subscription Resource Graph leaves out (case 1)', () => {
  it('listed in the scope: a named problem, partial, its clusters keep their state, "no longer readable" alerted once', async () => {
    expect(baselineFails().length).toBeGreaterThan(10);
    const subscriptions = subscriptionsOf(baseline);
    const lost = subscriptions[1];
    const mistyped = '0badc0de-0000-4000-8000-000000000000';
    const alerts = alertCount();
    // The configured subscription loses Reader: Resource Graph answers 200 without it.
    env.local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [lost] });
    const run = await env.job({ asOf: DEFAULT_AS_OF, subscriptions: [...subscriptions, mistyped] });
    expect(env.local.sim.counters.byStatus()['resourceGraph 403']).toBeUndefined();
    expect(run.report.complete).toBe(false);
    expect(run.run.status).toBe('partial');
    const named = (run.report.problems ?? []).map((p) => `${p.scope}: ${p.message}`);
    expect(named).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^/subscriptions/${lost}: subscription ${lost} is no longer readable`)),
        expect.stringMatching(
          new RegExp(`^/subscriptions/${mistyped}: subscription ${mistyped} is no longer readable`),
        ),
      ]),
    );
    expect(run.report.clusters.some((c) => c.subscriptionId === lost)).toBe(false);
    expect(await resolvedFails()).toEqual([]);
    const told = newAlerts(alerts);
    expect(told.filter((a) => a.transition === 'resolved')).toEqual([]);
    expect(told).toHaveLength(1);
    expect(told[0].transition).toBe('partial_run');
    expect(told[0].message).toContain(`subscription ${lost} is no longer readable`);

    // The next night, still unreadable: still partial, still nothing resolved, nothing alerted again.
    const again = alertCount();
    const second = await env.job({ asOf: DEFAULT_AS_OF, subscriptions: [...subscriptions, mistyped] });
    expect(second.report.complete).toBe(false);
    expect(await resolvedFails()).toEqual([]);
    expect(newAlerts(again)).toEqual([]);
  });

  it('at tenant scope: a subscription the last complete run read is named, its fails are not resolved, alerted once', async () => {
    // A complete tenant run first: it records what it read.
    const first = await env.job({ asOf: DEFAULT_AS_OF });
    expect(first.report.complete).toBe(true);
    const lost = subscriptionsOf(baseline)[2];
    env.local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [lost] });
    const alerts = alertCount();
    const run = await env.job({ asOf: DEFAULT_AS_OF });
    expect(run.report.complete).toBe(false);
    expect(run.report.problems).toEqual([
      expect.objectContaining({
        scope: `/subscriptions/${lost}`,
        message: expect.stringMatching(/no longer readable: the last complete scan read it/),
      }),
    ]);
    expect(await resolvedFails()).toEqual([]);
    const told = newAlerts(alerts);
    expect(told.map((a) => a.transition)).toEqual(['partial_run']);
    expect(told[0].message).toContain('no longer readable');
    const again = alertCount();
    await env.job({ asOf: DEFAULT_AS_OF });
    expect(newAlerts(again)).toEqual([]);
    expect(await resolvedFails()).toEqual([]);
    // Reader restored: complete again, and the state is the baseline's.
    env.local.sim.faults.clear('resourceGraph');
    const back = await env.job({ asOf: DEFAULT_AS_OF });
    expect(back.report.complete).toBe(true);
    expect(await resolvedFails()).toEqual([]);
  });
});

/** A run in which every Resource Graph query naming `table` fails (each attempt is armed as it is sent). */
async function jobFailingQueries(table: string) {
  const failing: PipelinePolicy = {
    name: 'failQueries',
    async sendRequest(request, next) {
      if (typeof request.body === 'string' && request.body.includes(table)) {
        env.local.sim.faults.set('resourceGraph', { failNext: { count: 1, kind: 'error' } });
      }
      return next(request);
    },
  };
  env.local.clients.resourceGraph.pipeline.addPolicy(failing);
  try {
    return await env.job({ asOf: DEFAULT_AS_OF });
  } finally {
    env.local.clients.resourceGraph.pipeline.removePolicy({ name: 'failQueries' });
  }
}

describe('each other way a read can be partial (case 2)', () => {
  it('a lost page of the cluster inventory: no fail of the chunk it belongs to is resolved', async () => {
    // Every clusters-query request of the run fails.
    const run = await jobFailingQueries('managedclusters');
    expect(run.report.complete).toBe(false);
    expect(run.report.problems?.[0].message).toMatch(/Resource Graph query over .* is incomplete: page 1 failed/);
    expect(await resolvedFails()).toEqual([]);
  });

  it('role assignments unreadable: the RBAC rules are unknown, their fails stay fails in the state', async () => {
    const run = await jobFailingQueries('authorizationresources');
    const rbac = run.report.clusters.flatMap((c) =>
      c.findings.filter((f) => f.ruleId === 'aks_rbac_bindings_use_groups').map((f) => f.status),
    );
    expect(new Set(rbac)).toEqual(new Set(['unknown']));
    expect(run.report.problems?.some((p) => /authorizationresources|Resource Graph query/.test(p.message))).toBe(true);
    expect(await resolvedFails()).toEqual([]);
    // The run's own report shows what it saw (unknown), the state keeps the fails.
    const own = verdicts((await env.store.getRunReport(run.runId))!);
    expect([...own.values()].some((r) => r.aks_rbac_bindings_use_groups === 'unknown')).toBe(true);
  });

  it('Graph unreadable (403): the directory rules are unknown naming Directory.Read.All, no fail resolved', async () => {
    env.local.sim.faults.set('graph.getByIds', { forbidden: true });
    env.local.sim.faults.set('graph.batch', { forbidden: true });
    const alerts = alertCount();
    const run = await env.job({ asOf: DEFAULT_AS_OF });
    const unknown = run.report.clusters.flatMap((c) =>
      c.findings.filter((f) => f.ruleId === 'aks_rbac_no_orphaned_assignments' && f.status === 'unknown'),
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown[0].message).toContain('Directory.Read.All');
    expect(await resolvedFails()).toEqual([]);
    expect(newAlerts(alerts).filter((a) => a.transition === 'resolved')).toEqual([]);
  });
});

describe('Resource Graph scopes (cases 5 and 6)', () => {
  it('role assignments are read over the subscriptions the inventory found, with AtScopeAboveAndBelow; the filter travels only with authorizationresources; never allowPartialScopes', async () => {
    await env.job({ asOf: DEFAULT_AS_OF });
    const roles = requests.filter((r) => r.query === QUERIES.roleAssignments);
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) {
      expect(r.subscriptions?.length).toBeGreaterThan(0);
      expect(r.subscriptions!.length).toBeLessThanOrEqual(1000);
      expect(r.options?.authorizationScopeFilter).toBe('AtScopeAboveAndBelow');
    }
    expect(new Set(roles.flatMap((r) => r.subscriptions ?? []).map((s) => s.toLowerCase()))).toEqual(
      new Set(subscriptionsOf(baseline).map((s) => s.toLowerCase())),
    );
    for (const r of requests.filter((x) => x.query !== QUERIES.roleAssignments)) {
      expect(r.options?.authorizationScopeFilter).toBeUndefined();
    }
    for (const r of requests) expect(r.options?.allowPartialScopes).toBeUndefined();
  });

  it('a management group over the scope limit: partial, the group named, nothing resolved', async () => {
    // A management group holding more than one subscription.
    const counts = new Map<string, number>();
    for (const sub of env.generated.fleet.subscriptions) {
      for (const g of sub.managementGroupAncestorsChain) counts.set(g.name, (counts.get(g.name) ?? 0) + 1);
    }
    const group = [...counts].find(([name, n]) => n > 1 && name !== env.generated.fleet.tenantId)![0];
    // The same fleet behind a simulator whose management-group limit is 1 subscription.
    const { startLocalAzure } = await import('../harness/localAzure');
    const { runScanJob } = await import('../../src/scan/job');
    const small = await startLocalAzure({
      fleet: env.generated.fleet,
      simulator: { maxManagementGroupSubscriptions: 1 },
      env: { AKS_COMPLIANCE_STORAGE: env.local.azurite!.connectionString },
    });
    try {
      const run = await runScanJob(
        { settings: small.settings, clients: small.clients, store: env.store, log: () => undefined },
        { trigger: 'timer', managementGroups: [group], notify: false, asOf: DEFAULT_AS_OF, keepReport: true },
      );
      expect(run.report.complete).toBe(false);
      expect(run.report.problems?.map((p) => p.message).join(' ')).toMatch(
        new RegExp(`management group ${group} holds more subscriptions .*TooManySubscriptionsUnderScope`),
      );
      expect(await resolvedFails()).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});

describe('Table Storage limits (case 9)', () => {
  it('a run with thousands of problems is recorded (first ones kept, the rest counted), nothing resolved', async () => {
    const subscriptions = subscriptionsOf(baseline);
    const unknown = Array.from(
      { length: 2500 },
      (_, i) => `${(0xdead0000 + i).toString(16)}-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const run = await env.job({ asOf: DEFAULT_AS_OF, subscriptions: [...subscriptions, ...unknown], notify: false });
    expect(run.report.problems?.length).toBeGreaterThanOrEqual(2500);
    expect(run.run.status).toBe('partial');
    const stored = (await env.store.getRunProblems(run.runId))!;
    expect(stored.length).toBeLessThan(600);
    expect(stored.at(-1)?.message).toMatch(/more problem\(s\) of this run are not stored/);
    for (const p of stored.slice(0, -1)) expect(p.message).toMatch(/is no longer readable/);
    expect(await resolvedFails()).toEqual([]);
  });
});

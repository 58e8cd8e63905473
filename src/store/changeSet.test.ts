import type { ClusterReport, Finding, ScanReport, Status } from '../model';
import { subscriptionReadFilter } from './resolution';
import { ChangeSetPlan, type ChangeSetInput } from './changeSet';
import { boundedJson, findingJson, hashOf, type Entry } from './codec';
import { META, bucketOf, bucketPk, clusterKey, ruleKey } from './keys';
import type { StateMap } from './latest';
import { scopeFilter } from './scope';
import type { Action } from './tables';

const RULES = ['aks_entra_id_enabled', 'aks_local_accounts_disabled'];

function cluster(i: number, statuses: Status[] = ['pass', 'fail'], version = '1.31.2'): ClusterReport {
  const sub = `00000000-0000-0000-0000-00000000000${i % 2}`;
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-${i}`,
    name: `aks-${i}`,
    subscriptionId: sub,
    resourceGroup: 'rg',
    location: 'westeurope',
    kubernetesVersion: version,
    tags: {},
    findings: RULES.map((ruleId, k): Finding => ({
      ruleId,
      status: statuses[k],
      severity: 'high',
      title: ruleId,
      message: `${ruleId} ${statuses[k]}`,
      remediation: '',
      details: {},
    })),
  };
}

function report(clusters: ClusterReport[], complete = true): ScanReport {
  return {
    schemaVersion: 1,
    runId: 'r2',
    asOf: '2026-11-27T00:00:00.000Z',
    startedAt: '2026-11-27T00:00:00.000Z',
    finishedAt: '2026-11-27T00:01:00.000Z',
    scope: { subscriptions: [], managementGroups: [] },
    complete,
    summary: {
      clusters: clusters.length,
      status: { pass: 0, fail: 0, unknown: 0, not_applicable: 0, exempt: 0 },
      failBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
    },
    clusters,
  };
}

/** Latest as a stored run left it, compact as change detection reads it. */
function latestOf(clusters: ClusterReport[]): StateMap {
  const state: StateMap = new Map();
  for (const c of clusters) {
    const pk = bucketPk(bucketOf(c.id));
    const { findings, ...meta } = c;
    state.set(`${clusterKey(c.id)}.${META}`, { pk, entry: { hash: hashOf({ json: boundedJson(meta) }) } });
    findings.forEach((f) =>
      state.set(`${clusterKey(c.id)}.${ruleKey(f.ruleId)}`, { pk, entry: { status: f.status, severity: f.severity } }),
    );
  }
  return state;
}

/** The same keys whole (as LatestState.fill reads them). */
function fill(state: StateMap, clusters: ClusterReport[], keys: string[]): void {
  for (const c of clusters) {
    const { findings, ...meta } = c;
    const whole = new Map<string, Entry>([[`${clusterKey(c.id)}.${META}`, { json: boundedJson(meta) }]]);
    findings.forEach((f, pos) =>
      whole.set(`${clusterKey(c.id)}.${ruleKey(f.ruleId)}`, {
        status: f.status,
        severity: f.severity,
        json: findingJson(f, pos),
      }),
    );
    for (const rk of keys) if (whole.has(rk)) state.set(rk, { pk: state.get(rk)!.pk, entry: whole.get(rk)! });
  }
}

function input(r: ScanReport, latest: StateMap, extra: Partial<ChangeSetInput> = {}): ChangeSetInput {
  return {
    report: r,
    runId: r.runId,
    latest,
    seq: 2,
    skipBefore: false,
    priorBefore: new Map(),
    priorViews: new Map(),
    inScope: scopeFilter(r.scope),
    readCompletely: subscriptionReadFilter(r.complete, undefined),
    ...extra,
  };
}

function entityOf(action: Action): Record<string, unknown> {
  if (action.kind !== 'upsert') return {};
  return typeof action.entity === 'function' ? action.entity() : action.entity;
}

const rows = (actions: Action[]): string[] => actions.map((a) => `${a.kind} ${a.pk}`);

describe('change set planning', () => {
  const fleet = [0, 1, 2, 3].map((i) => cluster(i));

  it('plans nothing for an unchanged night and reads no finding whole', () => {
    const plan = new ChangeSetPlan(input(report(fleet.map((c) => structuredClone(c))), latestOf(fleet)));
    expect(plan.keysToFill()).toEqual([]);
    const out = plan.plan([]);
    expect(out.changedKeys).toBe(0);
    expect([...out.changeActions, ...out.latestActions, ...out.viewActions, ...out.staleChanges]).toEqual([]);
  });

  it('plans a before-image, a Latest row and a transition per changed key', () => {
    const next = fleet.map((c) => structuredClone(c));
    next[1] = cluster(1, ['fail', 'fail']);
    next[2] = cluster(2, ['pass', 'fail'], '1.32.0');
    const latest = latestOf(fleet);
    const plan = new ChangeSetPlan(input(report(next), latest));
    const wanted = plan.keysToFill();
    expect(wanted.sort()).toEqual(
      [`${clusterKey(next[1].id)}.aks_entra_id_enabled`, `${clusterKey(next[2].id)}.${META}`].sort(),
    );
    fill(latest, fleet, wanted);
    const out = plan.plan([]);
    expect(out.changedKeys).toBe(2);
    expect(rows(out.changeActions).sort()).toEqual(
      [`upsert c0000000002-${bucketOf(next[1].id)}`, `upsert c0000000002-${bucketOf(next[2].id)}`].sort(),
    );
    expect(out.latestActions).toHaveLength(2);
    expect(out.viewActions).toEqual([]);
    expect(out.transitions.get(clusterKey(next[1].id))?.list).toEqual([
      { ruleId: 'aks_entra_id_enabled', from: 'pass', to: 'fail', fromSeverity: 'high', toSeverity: 'high' },
    ]);
    expect(out.transitions.get(clusterKey(next[2].id))?.list[0]).toMatchObject({
      ruleId: 'cluster',
      kubernetesVersion: { from: '1.31.2', to: '1.32.0' },
    });
    const before = out.changeActions.map(entityOf);
    expect(before.map((e) => e.vstatus ?? 'meta').sort()).toEqual(['meta', 'pass']);
  });

  it('a complete run removes a cluster that is gone; a partial one keeps it and never resolves a fail', () => {
    const gone = fleet.slice(0, 3).map((c) => structuredClone(c));
    const latest = latestOf(fleet);
    const complete = new ChangeSetPlan(input(report(gone), latest));
    fill(latest, fleet, complete.keysToFill());
    const removed = complete.plan([]);
    expect(removed.latestActions.map((a) => a.kind)).toEqual(['delete', 'delete', 'delete']);

    const partialFleet = [cluster(0, ['pass', 'pass'])];
    const latest2 = latestOf(fleet);
    const partial = new ChangeSetPlan(input(report(partialFleet, false), latest2));
    fill(latest2, fleet, partial.keysToFill());
    const kept = partial.plan([]);
    // The fail stays in Latest and the missing clusters keep their state; the run's own answer (the pass, the
    // clusters it did not return) is kept as its view.
    expect(kept.changedKeys).toBe(0);
    expect(kept.latestActions).toEqual([]);
    const views = kept.viewActions.map(entityOf);
    expect(views.filter((v) => v.vn !== 0).map((v) => [v.partitionKey, v.vstatus])).toEqual([
      [`v-r2-${bucketOf(partialFleet[0].id)}`, 'pass'],
    ]);
    expect(views.filter((v) => v.vn === 0)).toHaveLength(3 * (RULES.length + 1));
  });

  it('a narrowed run leaves clusters outside its scope alone', () => {
    const latest = latestOf(fleet);
    const narrowed = report([cluster(0, ['fail', 'fail'])]);
    narrowed.scope = { subscriptions: [fleet[0].subscriptionId], managementGroups: [] };
    const plan = new ChangeSetPlan(input(narrowed, latest, { inScope: scopeFilter(narrowed.scope) }));
    fill(latest, fleet, plan.keysToFill());
    const out = plan.plan([]);
    // Cluster 2 shares cluster 0's subscription and is gone from the run: removed; 1 and 3 are outside.
    expect([...out.transitions.keys()].sort()).toEqual([clusterKey(fleet[0].id), clusterKey(fleet[2].id)].sort());
  });

  it('the store’s first run writes no before-images', () => {
    const plan = new ChangeSetPlan(input(report(fleet), new Map(), { skipBefore: true }));
    expect(plan.keysToFill()).toEqual([]);
    const out = plan.plan([]);
    expect(out.changedKeys).toBe(fleet.length * (RULES.length + 1));
    expect(out.changeActions).toEqual([]);
    expect(out.latestActions).toHaveLength(fleet.length * (RULES.length + 1));
  });
});

import { computeAlertBatch, type Alert, type AlertOptions, type AlertTransition } from './alerts';
import {
  AlertCollector,
  alertsForCluster,
  alertsForGoneCluster,
  clusterAlertContext,
  partialRunBatch,
  sortAlerts,
} from './clusterAlerts';
import { normaliseId, type ClusterReport, type Finding, type ScanReport, type Severity, type Status } from '../model';
import { seededRandom } from '../../sim/faults';
import { cluster, finding, report } from '../../test/alerts/reports';

const brief = (alerts: Alert[]) => alerts.map((a) => `${a.ruleId}/${a.transition}/${a.severity}`);
const ctxAt = (minSeverity: Severity) => clusterAlertContext({ runId: 'run-3' }, { minSeverity });
const R = 'aks_admin_groups_valid';
const one = (status: Status, severity: Severity = 'high', extra: Partial<Finding> = {}) =>
  cluster('a', [finding(R, status, severity, extra)]);

describe('alertsForCluster', () => {
  type Case = {
    name: string;
    now: ClusterReport;
    prev?: ClusterReport;
    older?: ClusterReport;
    hasBefore?: boolean;
    min?: Severity;
    expected: string[];
  };
  const cases: Case[] = [
    { name: 'new_fail: a fail on a cluster not seen before', now: one('fail'), expected: [`${R}/new_fail/high`] },
    { name: 'new_fail: pass before, fail now', now: one('fail'), prev: one('pass'), expected: [`${R}/new_fail/high`] },
    {
      name: 'new_fail: a rule the cluster did not have before',
      now: one('fail'),
      prev: cluster('a', []),
      expected: [`${R}/new_fail/high`],
    },
    { name: 'a fail that stays a fail is silent', now: one('fail'), prev: one('fail'), expected: [] },
    {
      name: 'exemption_expired: exempt before, fail now',
      now: one('fail'),
      prev: one('exempt'),
      expected: [`${R}/exemption_expired/high`],
    },
    {
      name: 'severity_raised: fail both times, higher now',
      now: one('fail', 'critical'),
      prev: one('fail', 'medium'),
      expected: [`${R}/severity_raised/critical`],
    },
    {
      name: 'a lowered severity is silent',
      now: one('fail', 'medium'),
      prev: one('fail', 'critical'),
      min: 'low',
      expected: [],
    },
    { name: 'resolved: fail before, pass now', now: one('pass'), prev: one('fail'), expected: [`${R}/resolved/high`] },
    {
      name: 'resolved: fail before, not_applicable now',
      now: one('not_applicable'),
      prev: one('fail'),
      expected: [`${R}/resolved/high`],
    },
    {
      name: 'resolved counts at the previous severity',
      now: one('pass', 'low'),
      prev: one('fail', 'critical'),
      expected: [`${R}/resolved/critical`],
    },
    { name: 'a fail that becomes exempt is silent', now: one('exempt'), prev: one('fail'), expected: [] },
    {
      name: 'unreadable: the second unknown night in a row, after a known one',
      now: one('unknown'),
      prev: one('unknown'),
      older: one('fail'),
      hasBefore: true,
      expected: [`${R}/unreadable/high`],
    },
    {
      name: 'unreadable: not on the first unknown night',
      now: one('unknown'),
      prev: one('fail'),
      older: one('pass'),
      hasBefore: true,
      expected: [],
    },
    {
      name: 'unreadable: not without the earlier run',
      now: one('unknown'),
      prev: one('unknown'),
      hasBefore: false,
      expected: [],
    },
    {
      name: 'unreadable: not when the earlier run lacks the cluster',
      now: one('unknown'),
      prev: one('unknown'),
      hasBefore: true,
      expected: [],
    },
    {
      name: 'unreadable: not again on the third unknown night',
      now: one('unknown'),
      prev: one('unknown'),
      older: one('unknown'),
      hasBefore: true,
      expected: [],
    },
    {
      name: 'unreadable: below the threshold is silent',
      now: one('unknown', 'medium'),
      prev: one('unknown', 'medium'),
      older: one('pass', 'medium'),
      hasBefore: true,
      expected: [],
    },
    {
      name: 'one unknown night does not re-alert an old fail',
      now: one('fail'),
      prev: one('unknown'),
      older: one('fail'),
      hasBefore: true,
      expected: [],
    },
    {
      name: 'one unknown night: an old exemption that ended still alerts',
      now: one('fail'),
      prev: one('unknown'),
      older: one('exempt'),
      hasBefore: true,
      expected: [`${R}/exemption_expired/high`],
    },
    {
      name: 'one unknown night: an old fail that passes now is resolved',
      now: one('pass'),
      prev: one('unknown'),
      older: one('fail'),
      hasBefore: true,
      expected: [`${R}/resolved/high`],
    },
    {
      name: 'one unknown night after a pass: a fail now is new',
      now: one('fail'),
      prev: one('unknown'),
      older: one('pass'),
      hasBefore: true,
      expected: [`${R}/new_fail/high`],
    },
    { name: 'threshold: a medium fail under high is silent', now: one('fail', 'medium'), expected: [] },
    {
      name: 'threshold: a medium fail under low alerts',
      now: one('fail', 'medium'),
      min: 'low',
      expected: [`${R}/new_fail/medium`],
    },
    {
      name: 'threshold: a resolved low fail under high is silent',
      now: one('pass', 'high'),
      prev: one('fail', 'low'),
      expected: [],
    },
    {
      name: 'threshold: a critical raise under critical alerts',
      now: one('fail', 'critical'),
      prev: one('fail', 'high'),
      min: 'critical',
      expected: [`${R}/severity_raised/critical`],
    },
  ];

  it.each(cases)('$name', ({ now, prev, older, hasBefore, min, expected }) => {
    expect(brief(alertsForCluster(now, prev, older, hasBefore ?? false, ctxAt(min ?? 'high')))).toEqual(expected);
  });

  it('fills the alert from the cluster, with the key, owner tag and messages of the batch', () => {
    const now = cluster('a', [finding(R, 'fail', 'critical'), finding('aks_entra_id_enabled', 'pass', 'high')], {
      tags: { OWNER: ' team-a@contoso.com ' },
    });
    const prev = cluster('a', [
      finding(R, 'fail', 'high'),
      finding('aks_entra_id_enabled', 'fail', 'high', { title: 'old title' }),
    ]);
    const [raised, resolved] = alertsForCluster(now, prev, undefined, false, ctxAt('high'));
    expect(raised).toEqual({
      key: `run-3|${normaliseId(now.id)}|${R}|severity_raised`,
      transition: 'severity_raised',
      severity: 'critical',
      clusterId: now.id,
      clusterName: 'a',
      subscriptionId: now.subscriptionId,
      resourceGroup: 'rg-a',
      ruleId: R,
      title: `${R} title`,
      message: `Severity raised from high to critical: ${R} is fail`,
      remediation: now.findings[0].remediation,
      ownerEmail: 'team-a@contoso.com',
    });
    expect(resolved).toMatchObject({
      transition: 'resolved',
      title: 'old title',
      remediation: '',
      message: 'Resolved: aks_entra_id_enabled is pass',
    });
  });
});

describe('alertsForGoneCluster', () => {
  it('resolves the fails at or above the threshold, at their severity, saying the cluster left the inventory', () => {
    const gone = cluster('b', [
      finding('x', 'fail', 'critical'),
      finding('y', 'fail', 'low'),
      finding('z', 'pass', 'critical'),
      finding('w', 'exempt', 'critical'),
      finding('v', 'unknown', 'critical'),
    ]);
    const alerts = alertsForGoneCluster(gone, ctxAt('high'));
    expect(brief(alerts)).toEqual(['x/resolved/critical']);
    expect(alerts[0].message).toMatch(/no longer in the inventory/);
    expect(alerts[0].remediation).toBe('');
    expect(brief(alertsForGoneCluster(gone, ctxAt('low')))).toEqual(['x/resolved/critical', 'y/resolved/low']);
  });
});

describe('clusterAlertContext and sortAlerts', () => {
  it('cuts the run ID as the batch does and defaults the owner tag', () => {
    const ctx = clusterAlertContext({ runId: 'r'.repeat(2000) }, { minSeverity: 'medium' });
    expect(ctx.runId).toHaveLength(1024);
    expect(ctx.ownerTag).toBe('owner');
    expect(ctx.min).toBe(2);
    expect(clusterAlertContext({ runId: 'r' }, { minSeverity: 'low', ownerTag: 'contact' }).ownerTag).toBe('contact');
  });

  it('orders by severity, then transition, then cluster name, then rule', () => {
    const ctx = ctxAt('low');
    const alerts = [
      ...alertsForGoneCluster(cluster('z', [finding('r1', 'fail', 'critical')]), ctx),
      ...alertsForCluster(
        cluster('b', [finding('r2', 'fail', 'high'), finding('r1', 'fail', 'high')]),
        undefined,
        undefined,
        false,
        ctx,
      ),
      ...alertsForCluster(
        cluster('a', [finding('r9', 'fail', 'critical')]),
        cluster('a', [finding('r9', 'exempt')]),
        undefined,
        false,
        ctx,
      ),
      ...alertsForCluster(cluster('c', [finding('r1', 'fail', 'critical')]), undefined, undefined, false, ctx),
    ];
    sortAlerts(alerts);
    expect(alerts.map((a) => `${a.severity}/${a.transition}/${a.clusterName}/${a.ruleId}`)).toEqual([
      'critical/exemption_expired/a/r9',
      'critical/new_fail/c/r1',
      'critical/resolved/z/r1',
      'high/new_fail/b/r1',
      'high/new_fail/b/r2',
    ]);
  });
});

describe('partialRunBatch', () => {
  it('is what computeAlertBatch gives for a partial run', () => {
    const problems = [{ source: 'resourceGraph' as const, scope: '/subscriptions/s2', message: 'HTTP 403' }];
    const cur = report('run-2', [one('pass')], { complete: false, problems });
    const batch = partialRunBatch(cur, { minSeverity: 'critical' });
    expect(brief(batch.alerts)).toEqual(['/partial_run/high']);
    expect(batch.alerts[0].message).toBe('Could not read: resourceGraph /subscriptions/s2: HTTP 403');
    expect(batch).toEqual(computeAlertBatch(report('run-1', [one('fail')]), cur, { minSeverity: 'critical' }));
    expect(partialRunBatch(cur, { minSeverity: 'high', previousProblems: problems }).alerts).toEqual([]);
  });
});

describe('AlertCollector', () => {
  it('counts what it collected and gives it in the batch order; a run that turns out partial gives only partial_run', () => {
    const cur = report('run-2', [one('fail')]);
    const collector = new AlertCollector(cur, { minSeverity: 'high' });
    collector.gone(cluster('b', [finding(R, 'fail')]));
    collector.add(one('fail'), undefined, undefined, false);
    expect(collector.size).toBe(2);
    expect(brief(collector.finish().alerts)).toEqual([`${R}/new_fail/high`, `${R}/resolved/high`]);
    cur.complete = false;
    expect(brief(collector.finish().alerts)).toEqual(['/partial_run/high']);
  });

  it('reads the summary when finishing, so a streaming run may count as it goes', () => {
    const cur = report('run-2', []);
    const collector = new AlertCollector(cur, { minSeverity: 'high' });
    collector.add(one('fail'), undefined, undefined, false);
    cur.summary.clusters = 1;
    cur.summary.status.fail = 1;
    expect(collector.finish().summary).toMatchObject({ clusters: 1, complete: true, status: { fail: 1 } });
  });

  // Generated runs: older → previous → current, clusters coming and going (IDs in other letter cases), statuses and
  // severities at random. Fed cluster by cluster, the collector must give computeAlertBatch's batch exactly.
  const STATUS_POOL: Status[] = ['pass', 'fail', 'fail', 'unknown', 'not_applicable', 'exempt'];
  const SEVERITY_POOL: Severity[] = ['critical', 'high', 'medium', 'low'];
  const RULES = ['r_a', 'r_b', 'r_c', 'r_d'];
  const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

  function generated(seed: number) {
    const rnd = seededRandom(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    const run = (runId: string): ScanReport => {
      const clusters: ClusterReport[] = [];
      for (const name of NAMES) {
        if (rnd() < 0.2) continue;
        const findings = RULES.filter(() => rnd() < 0.85).map((r) =>
          finding(r, pick(STATUS_POOL), pick(SEVERITY_POOL)),
        );
        const c = cluster(name, findings, { tags: rnd() < 0.5 ? { Owner: `${name}@contoso.com` } : {} });
        if (rnd() < 0.3) c.id = c.id.toUpperCase();
        clusters.push(c);
      }
      // Two clusters of the same name in different resource groups: ties in the sort keep the feeding order.
      if (rnd() < 0.5)
        clusters.push(
          cluster('alpha', [finding('r_a', 'fail', 'critical')], {
            id: '/subscriptions/x/resourceGroups/other/providers/Microsoft.ContainerService/managedClusters/alpha',
          }),
        );
      return report(runId, clusters);
    };
    const older = run('run-1');
    const previous = run('run-2');
    const current = run('run-3');
    const options: AlertOptions = {
      minSeverity: pick(SEVERITY_POOL),
      ...(rnd() < 0.75 ? { history: [older] } : {}),
      ...(rnd() < 0.5 ? { ownerTag: 'OWNER' } : {}),
    };
    return { previous, current, options };
  }

  const byId = (r: ScanReport | undefined) => new Map((r?.clusters ?? []).map((c) => [normaliseId(c.id), c]));

  it('fed cluster by cluster equals computeAlertBatch on 200 generated pairs of reports', () => {
    const transitions = new Set<AlertTransition>();
    let goneSeen = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { previous, current, options } = generated(seed);
      const prev = byId(previous);
      const older = byId(options.history?.[0]);
      const hasBefore = (options.history ?? []).length > 0;
      const collector = new AlertCollector(current, options);
      const seen = new Set<string>();
      for (const c of current.clusters) {
        const id = normaliseId(c.id);
        seen.add(id);
        collector.add(c, prev.get(id), older.get(id), hasBefore);
      }
      for (const [id, c] of prev) {
        if (seen.has(id)) continue;
        collector.gone(c);
        goneSeen += 1;
      }
      const expected = computeAlertBatch(previous, current, options);
      expect(collector.size).toBe(expected.alerts.length);
      expect(collector.finish()).toEqual(expected);
      for (const a of expected.alerts) transitions.add(a.transition);
    }
    // The generated runs reach every per-cluster transition and gone clusters, so the comparison is not vacuous.
    expect([...transitions].sort()).toEqual([
      'exemption_expired',
      'new_fail',
      'resolved',
      'severity_raised',
      'unreadable',
    ]);
    expect(goneSeen).toBeGreaterThan(20);
  });
});

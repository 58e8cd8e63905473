import { computeAlertBatch, type Alert } from '../../src/alerts/alerts';
import { validateBatch } from '../../src/alerts/batchSchema';
import { cluster, finding, report } from './reports';

const opts = { minSeverity: 'high' as const };
const brief = (alerts: Alert[]) => alerts.map((a) => `${a.clusterName}/${a.ruleId}/${a.transition}/${a.severity}`);

const baseline = () =>
  report('run-1', [
    cluster('alpha', [
      finding('aks_version_supported', 'fail', 'critical'),
      finding('aks_local_accounts_disabled', 'fail', 'high'),
      finding('aks_auto_upgrade_enabled', 'fail', 'medium'),
      finding('aks_entra_id_enabled', 'pass', 'high'),
    ]),
    cluster(
      'beta',
      [finding('aks_entra_id_enabled', 'fail', 'high'), finding('aks_version_supported', 'pass', 'critical')],
      {
        tags: { Owner: 'team-beta@example.com' },
      },
    ),
  ]);

describe('computeAlertBatch', () => {
  it('first scan: every existing fail at or above the threshold, once, with owner and idempotency key', () => {
    const batch = computeAlertBatch(undefined, baseline(), opts);
    expect(brief(batch.alerts)).toEqual([
      'alpha/aks_version_supported/new_fail/critical',
      'alpha/aks_local_accounts_disabled/new_fail/high',
      'beta/aks_entra_id_enabled/new_fail/high',
    ]);
    const beta = batch.alerts.find((a) => a.clusterName === 'beta')!;
    expect(beta.ownerEmail).toBe('team-beta@example.com');
    expect(beta.key).toBe(`run-1|${beta.clusterId.toLowerCase()}|aks_entra_id_enabled|new_fail`);
    expect(batch.summary.failBySeverity.critical).toBe(1);
    expect(validateBatch(JSON.parse(JSON.stringify(batch)))).toEqual({ ok: true, batch: expect.anything() });
  });

  it('threshold low alerts the medium fail too', () => {
    const batch = computeAlertBatch(undefined, baseline(), { minSeverity: 'low' });
    expect(brief(batch.alerts)).toContain('alpha/aks_auto_upgrade_enabled/new_fail/medium');
  });

  it('an unchanged second scan alerts nothing', () => {
    const second = { ...baseline(), runId: 'run-2' };
    expect(computeAlertBatch(baseline(), second, opts).alerts).toEqual([]);
  });

  it('new critical, resolved, raised severity and expired exemption each appear once', () => {
    const prev = report('run-1', [
      cluster('alpha', [
        finding('aks_version_supported', 'pass', 'critical'),
        finding('aks_local_accounts_disabled', 'fail', 'high'),
        finding('aks_api_server_access_restricted', 'exempt', 'high'),
      ]),
      cluster('beta', [
        finding('aks_version_supported', 'fail', 'high'),
        finding('aks_entra_id_enabled', 'fail', 'high'),
      ]),
    ]);
    const cur = report('run-2', [
      cluster('alpha', [
        finding('aks_version_supported', 'fail', 'critical'),
        finding('aks_local_accounts_disabled', 'pass', 'high'),
        finding('aks_api_server_access_restricted', 'fail', 'high'),
      ]),
      cluster('beta', [
        finding('aks_version_supported', 'fail', 'critical'),
        finding('aks_entra_id_enabled', 'fail', 'high'),
      ]),
    ]);
    const batch = computeAlertBatch(prev, cur, opts);
    expect(brief(batch.alerts).sort()).toEqual(
      [
        'alpha/aks_version_supported/new_fail/critical',
        'alpha/aks_local_accounts_disabled/resolved/high',
        'alpha/aks_api_server_access_restricted/exemption_expired/high',
        'beta/aks_version_supported/severity_raised/critical',
      ].sort(),
    );
    expect(new Set(batch.alerts.map((a) => a.key)).size).toBe(batch.alerts.length);
    const raised = batch.alerts.find((a) => a.transition === 'severity_raised')!;
    expect(raised.message).toMatch(/from high to critical/);
    expect(batch.alerts.find((a) => a.transition === 'resolved')!.remediation).toBe('');
  });

  it('a lowered severity and a fail below the threshold are silent', () => {
    const prev = report('r1', [cluster('a', [finding('x', 'fail', 'critical'), finding('y', 'pass', 'medium')])]);
    const cur = report('r2', [cluster('a', [finding('x', 'fail', 'high'), finding('y', 'fail', 'medium')])]);
    expect(computeAlertBatch(prev, cur, opts).alerts).toEqual([]);
  });

  it('a resolved fail below the threshold is silent; not_applicable counts as resolved', () => {
    const prev = report('r1', [cluster('a', [finding('x', 'fail', 'low'), finding('y', 'fail', 'high')])]);
    const cur = report('r2', [cluster('a', [finding('x', 'pass', 'low'), finding('y', 'not_applicable', 'high')])]);
    expect(brief(computeAlertBatch(prev, cur, opts).alerts)).toEqual(['a/y/resolved/high']);
  });

  it('a partial run sends only the partial_run alert naming what could not be read, and resolves nothing', () => {
    const prev = baseline();
    const cur = report('run-2', [cluster('beta', [finding('aks_entra_id_enabled', 'pass', 'high')])], {
      complete: false,
      problems: [{ source: 'resourceGraph', scope: '/subscriptions/s2', message: 'HTTP 403 AuthorizationFailed' }],
    });
    const batch = computeAlertBatch(prev, cur, opts);
    expect(batch.alerts).toHaveLength(1);
    expect(batch.alerts[0].transition).toBe('partial_run');
    expect(batch.alerts[0].message).toContain('/subscriptions/s2');
    expect(batch.alerts[0].key).toBe('run-2|*|*|partial_run');
    expect(validateBatch(JSON.parse(JSON.stringify(batch))).ok).toBe(true);
  });

  it('a cluster gone from a complete run of the same scope resolves its fails; a different scope does not', () => {
    const prev = baseline();
    const cur = report('run-2', [baseline().clusters[1]]);
    expect(brief(computeAlertBatch(prev, cur, opts).alerts).sort()).toEqual(
      ['alpha/aks_local_accounts_disabled/resolved/high', 'alpha/aks_version_supported/resolved/critical'].sort(),
    );
    const narrowed = {
      ...cur,
      scope: { subscriptions: ['00000000-0000-0000-0000-000000000001'], managementGroups: [] },
    };
    expect(computeAlertBatch(prev, narrowed, opts).alerts).toEqual([]);
  });

  describe('unreadable', () => {
    const at = (run: string, status: 'fail' | 'unknown' | 'pass') =>
      report(run, [cluster('a', [finding('aks_admin_groups_valid', status, 'high')])]);

    it('alerts once, on the second unknown run in a row', () => {
      // run1 fail, run2 unknown, run3 unknown, run4 unknown
      expect(computeAlertBatch(at('r1', 'fail'), at('r2', 'unknown'), opts).alerts).toEqual([]);
      const third = computeAlertBatch(at('r2', 'unknown'), at('r3', 'unknown'), {
        ...opts,
        history: [at('r1', 'fail')],
      });
      expect(brief(third.alerts)).toEqual(['a/aks_admin_groups_valid/unreadable/high']);
      const fourth = computeAlertBatch(at('r3', 'unknown'), at('r4', 'unknown'), {
        ...opts,
        history: [at('r2', 'unknown')],
      });
      expect(fourth.alerts).toEqual([]);
    });

    it('is not raised without the run before previous', () => {
      expect(computeAlertBatch(at('r2', 'unknown'), at('r3', 'unknown'), opts).alerts).toEqual([]);
    });

    it('one unreadable night does not re-alert an old fail', () => {
      const batch = computeAlertBatch(at('r2', 'unknown'), at('r3', 'fail'), { ...opts, history: [at('r1', 'fail')] });
      expect(batch.alerts).toEqual([]);
    });
  });

  it('cuts oversized fields so the batch still validates', () => {
    const huge = 'x'.repeat(20000);
    const cur = report('r', [
      cluster('a', [finding('x', 'fail', 'critical', { message: huge, remediation: huge })], { tags: { owner: huge } }),
    ]);
    const batch = computeAlertBatch(undefined, cur, opts);
    expect(batch.alerts[0].message.length).toBeLessThanOrEqual(4000);
    expect(validateBatch(JSON.parse(JSON.stringify(batch)))).toMatchObject({ ok: true });
  });
});

describe('validateBatch', () => {
  const valid = () => JSON.parse(JSON.stringify(computeAlertBatch(undefined, baseline(), opts)));

  it('names the offending field', () => {
    const b = valid();
    b.alerts[1].severity = 'urgent';
    expect(validateBatch(b)).toMatchObject({ ok: false, field: '/alerts/1/severity' });
    const c = valid();
    delete c.summary.status.pass;
    expect(validateBatch(c)).toMatchObject({ ok: false, field: '/summary/status/pass' });
    const d = valid();
    d.alerts[0].extra = 1;
    expect(validateBatch(d)).toMatchObject({ ok: false, field: '/alerts/0/extra' });
    expect(validateBatch([])).toMatchObject({ ok: false, field: '/' });
  });
});

describe('computeAlertBatch on a run narrowed to one cluster', () => {
  it('compares only that cluster: the others are not resolved', () => {
    const prev = baseline();
    const only = baseline().clusters[1];
    const cur = report('run-2', [{ ...only, findings: [finding('aks_entra_id_enabled', 'pass', 'high')] }]);
    const batch = computeAlertBatch(prev, cur, { ...opts, scopeClusterId: only.id.toUpperCase() });
    expect(brief(batch.alerts)).toEqual(['beta/aks_entra_id_enabled/resolved/high']);
  });
});

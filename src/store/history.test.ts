import { transition } from './history';
import { META, ruleKey } from './keys';

describe('store history transitions', () => {
  it('names a finding’s status and severity change by its rule', () => {
    expect(
      transition(
        ruleKey('aks_entra_id_enabled'),
        { status: 'pass', severity: 'high' },
        { status: 'fail', severity: 'high' },
      ),
    ).toEqual({ ruleId: 'aks_entra_id_enabled', from: 'pass', to: 'fail', fromSeverity: 'high', toSeverity: 'high' });
    expect(transition(ruleKey('a.b/c'), undefined, { status: 'unknown' })).toEqual({
      ruleId: 'a.b/c',
      from: 'absent',
      to: 'unknown',
    });
  });

  it('records a cluster appearing, leaving or changing version', () => {
    expect(transition(META, undefined, { json: '{"kubernetesVersion":"1.31.2"}' })).toEqual({
      ruleId: 'cluster',
      from: 'absent',
      to: 'present',
      kubernetesVersion: { from: null, to: '1.31.2' },
    });
    expect(
      transition(META, { json: '{"kubernetesVersion":"1.31.2"}' }, { json: '{"kubernetesVersion":"1.32.0"}' }),
    ).toMatchObject({ from: 'present', to: 'present', kubernetesVersion: { from: '1.31.2', to: '1.32.0' } });
    expect(transition(META, { json: '{"kubernetesVersion":"1.31.2"}' }, undefined)).toMatchObject({ to: 'absent' });
  });
});

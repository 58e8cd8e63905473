import type { Finding } from '../model';
import {
  CHUNK,
  MAX_CHUNKS,
  compactOf,
  entryFromEntity,
  entryProps,
  findingJson,
  getChunks,
  hashOf,
  isCompact,
  putChunks,
  sameEntry,
  thinOf,
} from './codec';

function finding(status: Finding['status'], extra: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'aks_entra_id_enabled',
    status,
    severity: status === 'fail' ? 'high' : 'medium',
    title: 'Entra ID is enabled',
    message: `the cluster is ${status}`,
    remediation: 'az aks update --enable-aad',
    details: { k: 1 },
    ...extra,
  };
}

describe('store entity codec', () => {
  it('splits long values over properties of at most CHUNK characters and joins them back', () => {
    const text = 'é'.repeat(CHUNK * 2 + 5);
    const entity: Record<string, unknown> = {};
    putChunks(entity, 'v', text);
    expect(entity.vn).toBe(3);
    expect((entity.v0 as string).length).toBe(CHUNK);
    expect((entity.v2 as string).length).toBe(5);
    expect(getChunks(entity, 'v')).toBe(text);
    const empty: Record<string, unknown> = {};
    putChunks(empty, 'v', '');
    expect(getChunks(empty, 'v')).toBe('');
    const none: Record<string, unknown> = {};
    putChunks(none, 'v', undefined);
    expect(none).toEqual({ vn: 0 });
    expect(getChunks(none, 'v')).toBeUndefined();
  });

  it('keeps a finding whole within the entity budget and truncates only its details beyond it', () => {
    const small = finding('fail');
    expect(JSON.parse(findingJson(small, 3))).toEqual({ ...small, pos: 3 });
    const huge = finding('fail', { message: 'm'.repeat(9000), details: { blob: 'x'.repeat(CHUNK * MAX_CHUNKS) } });
    const stored = JSON.parse(findingJson(huge, 1)) as Finding & { pos: number };
    expect(stored).toMatchObject({ status: 'fail', severity: 'high', pos: 1, details: { truncated: true } });
    expect(stored.message.endsWith('[truncated]')).toBe(true);
    expect(findingJson(huge, 1).length).toBeLessThan(CHUNK * MAX_CHUNKS);
  });

  it('writes an entry as properties and reads the same entry back (an absence as no entry)', () => {
    const entry = { status: 'fail' as const, severity: 'high' as const, json: findingJson(finding('fail'), 0) };
    const props = entryProps(entry, 'v');
    expect(props).toMatchObject({ vstatus: 'fail', vseverity: 'high', vn: 1 });
    expect(entryFromEntity(props, 'v')).toEqual(entry);
    expect(entryFromEntity(entryProps(undefined, 'v'), 'v')).toBeUndefined();
    let built = 0;
    const lazy = {
      status: 'pass' as const,
      build: () => {
        built += 1;
        return '{"a":1}';
      },
    };
    expect(entryProps(lazy, 'v')).toMatchObject({ v0: '{"a":1}' });
    expect(built).toBe(1);
  });

  it('compares findings by status and severity and metadata by content or hash', () => {
    const a = { status: 'fail' as const, severity: 'high' as const, json: '{"message":"one"}' };
    expect(sameEntry(a, { ...a, json: '{"message":"two"}' }, false)).toBe(true);
    expect(sameEntry(a, { ...a, severity: 'critical' }, false)).toBe(false);
    expect(sameEntry(a, undefined, false)).toBe(false);
    expect(sameEntry(undefined, undefined, false)).toBe(true);
    const meta = { json: '{"name":"aks-1","kubernetesVersion":"1.31.2"}' };
    const compact = compactOf({ ...meta }, true);
    expect(isCompact(compact)).toBe(true);
    expect(compact.hash).toBe(hashOf({ ...meta }));
    expect(sameEntry(compact, { ...meta }, true)).toBe(true);
    expect(sameEntry(compact, { json: '{"name":"aks-1","kubernetesVersion":"1.32.0"}' }, true)).toBe(false);
    expect(compactOf(a, false)).toEqual({ status: 'fail', severity: 'high' });
  });

  it('thins an entry to what the alerts compare, keeping titles of fails and exemptions only', () => {
    const rk = 'Y2s.aks_entra_id_enabled';
    const pass = finding('pass');
    const thinPass = JSON.parse(
      thinOf({ status: 'pass', severity: 'medium', json: findingJson(pass, 4) }, false, rk).json!,
    ) as Finding & { pos: number };
    expect(thinPass).toEqual({
      ruleId: 'aks_entra_id_enabled',
      status: 'pass',
      severity: 'medium',
      title: '',
      message: '',
      remediation: '',
      details: {},
      pos: 4,
    });
    const fail = finding('fail');
    const thinFail = JSON.parse(
      thinOf({ status: 'fail', severity: 'high', json: findingJson(fail, 2) }, false, rk).json!,
    ) as Finding;
    expect(thinFail).toMatchObject({ status: 'fail', title: 'Entra ID is enabled', message: '', details: {} });
    const meta = { json: '{"name":"aks-1"}' };
    expect(thinOf(meta, true, 'Y2s.!meta')).toBe(meta);
  });
});

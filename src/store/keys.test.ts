import {
  BUCKETS,
  allBuckets,
  bucketOf,
  changePk,
  clusterIdOfKey,
  clusterKey,
  invertedSeq,
  keyInfo,
  latestPkOfChangeRow,
  rangeFilter,
  ruleIdOfKey,
  ruleKey,
  runKey,
  viewPk,
} from './keys';

function clusterId(i: number): string {
  const sub = `00000000-0000-0000-0000-${String(i % 7).padStart(12, '0')}`;
  return `/subscriptions/${sub}/resourceGroups/rg-${i % 5}/providers/Microsoft.ContainerService/managedClusters/aks-${String(i).padStart(4, '0')}`;
}

// Characters a PartitionKey or RowKey may not hold (control characters are outside the base64url alphabet too).
const FORBIDDEN = /[^A-Za-z0-9_.:~-]/;

describe('store keys', () => {
  it('spreads clusters over buckets and keeps keys free of / \\ # ?', () => {
    const buckets = new Set(Array.from({ length: 200 }, (_, i) => bucketOf(clusterId(i))));
    expect(buckets.size).toBeGreaterThan(20);
    const key = clusterKey(
      '/subscriptions/s/resourceGroups/r#?/providers/Microsoft.ContainerService/managedClusters/a\\b',
    );
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(bucketOf(clusterId(3).toUpperCase())).toBe(bucketOf(clusterId(3)));
  });

  it('keeps the bucket of a cluster stable (stored rows depend on it)', () => {
    expect(bucketOf(clusterId(0))).toBe(bucketOf(clusterId(0).replace('resourceGroups', 'resourcegroups')));
    expect(allBuckets()).toHaveLength(BUCKETS);
    expect(allBuckets()).toContain(bucketOf(clusterId(17)));
    // FNV-1a of the normalised ID: a change of hash would move every stored cluster.
    expect(bucketOf('/subscriptions/a/resourcegroups/b/providers/microsoft.containerservice/managedclusters/c')).toBe(
      '17',
    );
    expect(bucketOf('/SUBSCRIPTIONS/A/resourceGroups/B/providers/Microsoft.ContainerService/managedClusters/C/')).toBe(
      '17',
    );
  });

  it('round-trips cluster and rule keys, and escapes unsafe run and rule IDs', () => {
    const id = clusterId(9);
    expect(clusterIdOfKey(clusterKey(id))).toBe(id.toLowerCase());
    expect(runKey('2026-11-27T02:00:00Z.timer')).toBe('2026-11-27T02:00:00Z.timer');
    expect(runKey('a/b#c')).not.toMatch(FORBIDDEN);
    expect(runKey('a/b#c').startsWith('~')).toBe(true);
    expect(ruleKey('aks_version_supported')).toBe('aks_version_supported');
    expect(ruleKey('custom.rule/1')).not.toMatch(FORBIDDEN);
    expect(ruleIdOfKey(ruleKey('custom.rule/1'))).toBe('custom.rule/1');
    expect(keyInfo(`${clusterKey(id)}.aks_entra_id_enabled`, 'b07')).toEqual({
      pk: 'b07',
      ck: clusterKey(id),
      ruleId: 'aks_entra_id_enabled',
    });
  });

  it('orders change sets newest first and maps change rows back to their bucket', () => {
    expect(invertedSeq(2) < invertedSeq(1)).toBe(true);
    expect(changePk(12, '05')).toBe('c0000000012-05');
    expect(latestPkOfChangeRow(changePk(12, '05'))).toBe('b05');
    expect(latestPkOfChangeRow(viewPk('a/b', '31'))).toBe('b31');
    expect(viewPk('a/b', '31')).not.toMatch(FORBIDDEN);
  });

  it('builds range filters that cover exactly the prefix', () => {
    const filter = rangeFilter('runs', 'index.');
    expect(filter).toBe("PartitionKey eq 'runs' and RowKey ge 'index.' and RowKey lt 'index/'");
    expect(rangeFilter("o'k", 'x.')).toContain("'o''k'");
  });

  it('keeps keys from long non-ASCII names within 1 KiB (hashed), still telling the subscription', () => {
    const sub = '0a1b2c3d-0000-4000-8000-000000000001';
    const rg = 'ресурсы-группа-日本語-'.repeat(6).slice(0, 90);
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/aks-${'x'.repeat(59)}`;
    const ck = clusterKey(id);
    const rk = `${ck}.${ruleKey('aks_rbac_no_orphaned_assignments')}`;
    expect(Buffer.byteLength(rk, 'utf16le')).toBeLessThanOrEqual(1024);
    expect(ck).toMatch(/^~[0-9a-f-]+~[A-Za-z0-9_-]+$/);
    expect(ck).not.toMatch(FORBIDDEN);
    expect(clusterKey(id.toUpperCase().replace(sub.toUpperCase(), sub))).toBe(ck);
    expect(clusterIdOfKey(ck).startsWith(`/subscriptions/${sub}/`)).toBe(true);
    // An ordinary ID keeps its readable, reversible key.
    expect(clusterIdOfKey(clusterKey(clusterId(1)))).toBe(clusterId(1).toLowerCase());
    const longRun = 'ранний-запуск-'.repeat(60);
    expect(Buffer.byteLength(runKey(longRun), 'utf16le')).toBeLessThanOrEqual(1024);
    expect(runKey(longRun)).toMatch(/^~~[A-Za-z0-9_-]+$/);
    expect(runKey(longRun)).toBe(runKey(longRun));
  });
});

// Latest (src/store/latest.ts) against Azurite through the real @azure/data-tables client: read whole, compact (the
// columns change detection needs) and filled for a few keys.
import { findingJson } from '../../src/store/codec';
import { META, bucketOf, bucketPk, clusterKey } from '../../src/store/keys';
import { LatestState } from '../../src/store/latest';
import { LeaseConflict } from '../../src/store/lease';
import { StoreTables } from '../../src/store/tables';
import { cluster, useAzurite } from './fixtures';

const { clients, newPrefix, newStore } = useAzurite();

describe('latest state', () => {
  it('reads whole, compact and for a few keys what a recorded run left', async () => {
    const prefix = newPrefix();
    const store = newStore({ tablePrefix: prefix });
    const fleet = Array.from({ length: 30 }, (_, i) => cluster(i));
    await store.recordRun(
      {
        schemaVersion: 1,
        runId: 'l1',
        asOf: '2026-11-27T00:00:00.000Z',
        startedAt: '2026-11-27T00:00:00.000Z',
        finishedAt: '2026-11-27T00:01:00.000Z',
        scope: { subscriptions: [], managementGroups: [] },
        complete: true,
        summary: {
          clusters: 30,
          status: { pass: 0, fail: 0, unknown: 0, not_applicable: 0, exempt: 0 },
          failBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
        },
        clusters: fleet,
      },
      { trigger: 'cli' },
    );
    const tables = new StoreTables(clients(), prefix, 4);
    const latest = new LatestState(tables);

    const whole = await latest.read();
    expect(whole.size).toBe(30 * 5);
    const rk = `${clusterKey(fleet[7].id)}.aks_entra_id_enabled`;
    const f = fleet[7].findings[2];
    expect(whole.get(rk)).toEqual({
      pk: bucketPk(bucketOf(fleet[7].id)),
      entry: { status: f.status, severity: f.severity, json: findingJson(f, 2) },
    });

    const compact = await latest.readCompact();
    expect(compact.size).toBe(whole.size);
    expect(compact.get(rk)?.entry).toEqual({ status: f.status, severity: f.severity });
    expect(Object.keys(compact.get(`${clusterKey(fleet[7].id)}.${META}`)!.entry)).toEqual(['hash']);

    const one = await latest.readCompact(fleet[3].id);
    expect([...one.keys()].every((k) => k.startsWith(`${clusterKey(fleet[3].id)}.`))).toBe(true);
    expect(one.size).toBe(5);

    await latest.fill(compact, [rk]);
    expect(compact.get(rk)?.entry.json).toBe(findingJson(f, 2));

    // A key gone since the compact read: another writer changed the state.
    const ghost = new Map(compact);
    ghost.set(`${clusterKey(fleet[7].id)}.no_such_rule`, { pk: bucketPk(bucketOf(fleet[7].id)), entry: {} });
    await expect(latest.fill(ghost, [`${clusterKey(fleet[7].id)}.no_such_rule`])).rejects.toBeInstanceOf(LeaseConflict);
  });
});

// Latest (src/store/latest.ts) against Azurite through the real @azure/data-tables client: read whole and for one
// cluster.
import { findingJson } from '../../src/store/codec';
import { META, bucketOf, bucketPk, clusterKey } from '../../src/store/keys';
import { LatestState } from '../../src/store/latest';
import { StoreTables } from '../../src/store/tables';
import { cluster, useAzurite } from './fixtures';

const { clients, newPrefix, newStore } = useAzurite();

describe('latest state', () => {
  it('reads whole and for one cluster what a recorded run left', async () => {
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

    const one = await latest.read(fleet[3].id);
    expect([...one.keys()].every((k) => k.startsWith(`${clusterKey(fleet[3].id)}.`))).toBe(true);
    expect(one.size).toBe(5);
    expect(one.get(`${clusterKey(fleet[3].id)}.${META}`)?.entry.json).toContain(fleet[3].name);
  });
});

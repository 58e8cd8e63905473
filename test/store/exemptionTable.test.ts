// The Exemptions table (src/store/exemptionTable.ts) against Azurite through the real @azure/data-tables client:
// versions, tombstones, the audit trail, ETag conditions and the changes waiting for the alert digest.
import { StaleExemptionError } from '../../src/store/findingStore';
import { useAzurite } from './fixtures';

const { newStore } = useAzurite();

const ALICE = { oid: 'a11ce000-0000-4000-8000-000000000001', name: 'alice@contoso.example' };
const BOB = { oid: 'b0b00000-0000-4000-8000-000000000002', name: 'bob@contoso.example' };
const T1 = new Date('2026-11-27T10:00:00Z');
const T2 = new Date('2026-11-27T11:00:00Z');
const T3 = new Date('2026-11-27T12:00:00Z');

const base = {
  id: 'ex-1',
  ruleId: 'aks_local_accounts_disabled',
  scope: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-one',
  justification: 'accepted',
  expiresOn: '2027-01-01T00:00:00.000Z',
  author: 'ignored: the actor is the author',
  createdAt: '2000-01-01T00:00:00.000Z',
};

describe('exemptions table', () => {
  it('versions every change in one transaction, keeps the author, leaves a tombstone and a history', async () => {
    const store = newStore();
    const created = await store.saveExemption(base, undefined, undefined, ALICE, T1);
    expect(created.exemption).toMatchObject({
      author: ALICE.name,
      authorOid: ALICE.oid,
      createdAt: T1.toISOString(),
      version: 1,
    });
    expect(created.entry).toMatchObject({ version: 1, action: 'created', by: ALICE, at: T1.toISOString() });
    // Current row, version and digest row: one entity-group transaction.
    expect(store.counters.byTable.exemptions).toEqual({ transactions: 1, entities: 3 });

    const current = await store.getExemptionRecord('ex-1');
    expect(current?.etag).toBe(created.etag);
    const widened = await store.saveExemption(
      { ...base, scope: '/subscriptions/00000000-0000-0000-0000-000000000001' },
      current,
      created.etag,
      BOB,
      T2,
    );
    expect(widened.entry).toMatchObject({ version: 2, action: 'widened', by: BOB });
    expect(widened.entry.changes).toEqual([
      { field: 'scope', before: base.scope, after: '/subscriptions/00000000-0000-0000-0000-000000000001' },
    ]);
    expect(widened.exemption).toMatchObject({ author: ALICE.name, createdAt: T1.toISOString(), updatedBy: BOB.name });

    // The first ETag is stale now: nothing is written.
    const before = { ...store.counters.byTable.exemptions };
    await expect(
      store.saveExemption({ ...base, justification: 'late' }, current, created.etag, BOB, T2),
    ).rejects.toBeInstanceOf(StaleExemptionError);
    expect((await store.getExemption('ex-1'))?.version).toBe(2);
    expect(store.counters.byTable.exemptions).toEqual(before);

    const latest = await store.getExemptionRecord('ex-1');
    const removed = await store.removeExemption(latest!, latest!.etag, ALICE, T3);
    expect(removed).toMatchObject({ version: 3, action: 'removed', by: ALICE });
    expect(await store.getExemption('ex-1')).toBeUndefined();
    expect(await store.listExemptions()).toEqual([]);
    const tombstone = await store.getExemptionRecord('ex-1');
    expect(tombstone?.removed).toEqual({ at: T3.toISOString(), by: ALICE.name, byOid: ALICE.oid });

    const history = await store.exemptionHistory('ex-1');
    expect(history.map((v) => [v.version, v.action, v.by.name, v.at])).toEqual([
      [1, 'created', ALICE.name, T1.toISOString()],
      [2, 'widened', BOB.name, T2.toISOString()],
      [3, 'removed', ALICE.name, T3.toISOString()],
    ]);

    // Recreated after removal: a new version, a new author.
    const again = await store.saveExemption(base, tombstone, undefined, BOB, T3);
    expect(again.entry).toMatchObject({ version: 4, action: 'created' });
    expect(again.exemption).toMatchObject({ author: BOB.name, version: 4 });
    expect(await store.listExemptions()).toEqual([again.exemption]);
  });

  it('keeps the changes for the next digest until they are marked reported', async () => {
    const store = newStore();
    const a = await store.saveExemption({ ...base, id: 'ex-a' }, undefined, undefined, ALICE, T1);
    await store.saveExemption({ ...base, id: 'ex-b' }, undefined, undefined, BOB, T2);
    await store.saveExemption(
      { ...base, id: 'ex-a', justification: 'edited' },
      await store.getExemptionRecord('ex-a'),
      a.etag,
      ALICE,
      T3,
    );
    const pending = await store.unreportedExemptionChanges();
    expect(pending.entries.map((e) => `${e.id} ${e.version} ${e.action}`)).toEqual([
      'ex-a 1 created',
      'ex-b 1 created',
      'ex-a 2 changed',
    ]);
    await store.markExemptionChangesReported(pending.keys.slice(0, 2));
    expect((await store.unreportedExemptionChanges()).entries.map((e) => `${e.id} ${e.version}`)).toEqual(['ex-a 2']);
    // History is not touched by reporting.
    expect(await store.exemptionHistory('ex-a')).toHaveLength(2);
  });

  it('a creation racing another for the same ID is refused, not merged', async () => {
    const store = newStore();
    await store.saveExemption({ ...base, id: 'ex-race' }, undefined, undefined, ALICE, T1);
    await expect(store.saveExemption({ ...base, id: 'ex-race' }, undefined, undefined, BOB, T1)).rejects.toBeInstanceOf(
      StaleExemptionError,
    );
    expect(await store.exemptionHistory('ex-race')).toHaveLength(1);
  });

  it('keeps an ID with characters a row key may not hold, apart from the history rows', async () => {
    const store = newStore();
    const exemption = { ...base, id: 'team/a#1?', createdAt: '2026-11-28T00:00:00.000Z' };
    await store.putExemption(exemption);
    expect(await store.getExemption('team/a#1?')).toEqual(exemption);
    expect(await store.getExemption('team/a#1')).toBeUndefined();
    expect(await store.listExemptions()).toEqual([exemption]);
    expect(store.counters.byTable.exemptions).toEqual({ transactions: 1, entities: 1 });
  });
});

// The Exemptions table (src/store/exemptionTable.ts) against Azurite through the real @azure/data-tables client.
import { useAzurite } from './fixtures';

const { newStore } = useAzurite();

describe('exemptions table', () => {
  it('stores, lists and deletes exemptions', async () => {
    const store = newStore();
    const exemption = {
      id: 'ex-1',
      ruleId: 'aks_local_accounts_disabled',
      scope: 'tag:env=prod',
      justification: 'accepted',
      expiresOn: '2027-01-01T00:00:00.000Z',
      author: 'me@contoso.example',
      createdAt: '2026-11-27T00:00:00.000Z',
    };
    await store.putExemption(exemption);
    expect(await store.listExemptions()).toEqual([exemption]);
    expect(await store.getExemption('ex-1')).toEqual(exemption);
    expect(await store.deleteExemption('ex-1')).toBe(true);
    expect(await store.deleteExemption('ex-1')).toBe(false);
    expect(await store.listExemptions()).toEqual([]);
  });

  it('keeps an ID with characters a row key may not hold, and counts each write', async () => {
    const store = newStore();
    const exemption = {
      id: 'team/a#1?',
      ruleId: 'aks_entra_id_enabled',
      scope: '/subscriptions/00000000-0000-0000-0000-000000000001',
      justification: 'migration',
      expiresOn: '2027-02-01T00:00:00.000Z',
      author: 'ops@contoso.example',
      createdAt: '2026-11-28T00:00:00.000Z',
    };
    await store.putExemption(exemption);
    expect(await store.getExemption('team/a#1?')).toEqual(exemption);
    expect(await store.getExemption('team/a#1')).toBeUndefined();
    expect(store.counters.byTable.exemptions).toEqual({ transactions: 1, entities: 1 });
    expect(await store.deleteExemption('team/a#1?')).toBe(true);
    expect(store.counters.byTable.exemptions).toEqual({ transactions: 2, entities: 2 });
  });
});

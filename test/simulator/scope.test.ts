// Resource Graph scope semantics: subscriptions, management groups, the tenant, forbidden subscriptions, and the
// authorizationScopeFilter of role assignments.
import { QUERIES } from '../../src/inventory/queries';
import type { Fleet } from '../../sim/fleet/types';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { smallFleet, subscriptionId } from './smallFleet';

let local: LocalAzure;
let fleet: Fleet;
beforeAll(async () => {
  fleet = { ...smallFleet({ clusters: 120, subscriptions: 6 }), forbiddenSubscriptions: [subscriptionId(5)] };
  local = await startLocalAzure({ fleet, simulator: { quota: { limit: 1000 } } });
});
afterAll(() => local?.stop());

type Row = Record<string, string>;

async function query(
  name: keyof typeof QUERIES,
  scope: { subscriptions?: string[]; managementGroups?: string[] },
  filter?: string,
): Promise<Row[]> {
  const page = await local.clients.resourceGraph.resources({
    query: QUERIES[name],
    ...scope,
    options: { top: 1000, ...(filter ? { authorizationScopeFilter: filter as 'AtScopeAndBelow' } : {}) },
  });
  return page.data as Row[];
}

const subOf = (row: Row): string => String(row.id).split('/')[2];

describe('Resource Graph scopes', () => {
  it('reads only the named subscriptions', async () => {
    const rows = await query('clusters', { subscriptions: [subscriptionId(1), subscriptionId(2).toUpperCase()] });
    expect(new Set(rows.map(subOf))).toEqual(new Set([subscriptionId(1), subscriptionId(2)]));
    expect(rows).toHaveLength(40);
  });

  it('reads the subscriptions under a management group, leaving forbidden ones out silently', async () => {
    // mg-dev holds the odd subscriptions (1, 3, 5); 5 is forbidden.
    const rows = await query('clusters', { managementGroups: ['mg-dev'] });
    expect(new Set(rows.map(subOf))).toEqual(new Set([subscriptionId(1), subscriptionId(3)]));
    const chains = await query('subscriptionChains', { managementGroups: ['MG-DEV'] });
    expect(chains.map((r) => r.subscriptionId).sort()).toEqual([subscriptionId(1), subscriptionId(3)]);
  });

  it('leaves an unreadable or unknown subscription of a list out of a successful answer', async () => {
    const rows = await query('clusters', {
      subscriptions: [subscriptionId(1), subscriptionId(5), '99999999-0000-0000-0000-000000000000'],
    });
    expect(new Set(rows.map(subOf))).toEqual(new Set([subscriptionId(1)]));
    const chains = await query('subscriptionChains', { subscriptions: [subscriptionId(1), subscriptionId(5)] });
    expect(chains.map((r) => r.subscriptionId)).toEqual([subscriptionId(1)]);
  });

  it('refuses with a 403 that names no subscription only when nothing listed is readable', async () => {
    for (const scope of [
      { subscriptions: [subscriptionId(5)] },
      { subscriptions: ['99999999-0000-0000-0000-000000000000', subscriptionId(5)] },
      { managementGroups: ['mg-unknown'] },
    ]) {
      const error = await local.clients.resourceGraph.resources({ query: QUERIES.clusters, ...scope }).then(
        () => undefined,
        (e: unknown) => e as { statusCode?: number; code?: string; message?: string },
      );
      expect(error).toMatchObject({ statusCode: 403, code: 'AccessDenied' });
      expect(error?.message).not.toContain(subscriptionId(5));
    }
  });

  it('answers TooManySubscriptionsUnderScope for an oversized management group, and a request naming over 1,000 subscriptions with 400', async () => {
    const small = await startLocalAzure({
      fleet,
      simulator: { quota: { limit: 1000 }, maxManagementGroupSubscriptions: 2 },
    });
    try {
      // mg-dev holds three subscriptions.
      const error = await small.clients.resourceGraph
        .resources({ query: QUERIES.subscriptionChains, managementGroups: ['mg-dev'] })
        .then(
          () => undefined,
          (e: unknown) => e as { statusCode?: number; details?: unknown },
        );
      expect(error?.statusCode).toBe(400);
      expect(JSON.stringify(error?.details)).toContain('TooManySubscriptionsUnderScope');
      // allowPartialScopes cuts the scope to its first subscriptions without saying which.
      const partial = await small.clients.resourceGraph.resources({
        query: QUERIES.subscriptionChains,
        managementGroups: ['mg-dev'],
        options: { allowPartialScopes: true },
      });
      expect(partial.data).toHaveLength(2);
    } finally {
      await small.stop();
    }
    const many = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await expect(
      local.clients.resourceGraph.resources({ query: QUERIES.clusters, subscriptions: many }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('omits forbidden subscriptions tenant-wide and in the AKS RP', async () => {
    const rows = await query('clusters', {});
    expect(rows).toHaveLength(100);
    expect(rows.map(subOf)).not.toContain(subscriptionId(5));
    await expect(
      local.clients.containerService(subscriptionId(5)).managedClusters.listKubernetesVersions('westeurope'),
    ).rejects.toMatchObject({ statusCode: 403 });
  });

  it('applies authorizationScopeFilter to management-group role assignments', async () => {
    const sub = subscriptionId(0); // under mg-prod, which holds management-group-scope assignments
    const isGroup = (r: Row): boolean => r.scope.startsWith('/providers/microsoft.management/managementgroups/');
    const below = await query('roleAssignments', { subscriptions: [sub] });
    expect(below.some(isGroup)).toBe(false);
    expect(below.length).toBeGreaterThan(0);
    const aboveAndBelow = await query('roleAssignments', { subscriptions: [sub] }, 'AtScopeAboveAndBelow');
    expect(aboveAndBelow.filter(isGroup).map((r) => r.scope)).toEqual(
      expect.arrayContaining(['/providers/microsoft.management/managementgroups/mg-prod']),
    );
    expect(aboveAndBelow.length).toBe(below.length + aboveAndBelow.filter(isGroup).length);
    const exact = await query('roleAssignments', { subscriptions: [sub] }, 'AtScopeExact');
    expect(exact.every((r) => r.scope === `/subscriptions/${sub}`)).toBe(true);
    const atGroup = await query('roleAssignments', { managementGroups: ['mg-prod'] });
    expect(atGroup.some(isGroup)).toBe(true);
    const tenant = await query('roleAssignments', {});
    expect(tenant.length).toBeGreaterThan(aboveAndBelow.length);
    // Rows outside the AKS-access roles or on other resources never travel.
    for (const r of tenant) {
      expect(r.roleDefinitionId).not.toMatch(/acdd72a7/);
      expect(r.scope).not.toMatch(/storageaccounts/);
    }
  });

  it('refuses a $skipToken from another query or scope', async () => {
    const first = await local.clients.resourceGraph.resources({ query: QUERIES.clusters, options: { top: 10 } });
    expect(first.skipToken).toBeTruthy();
    await expect(
      local.clients.resourceGraph.resources({
        query: QUERIES.clusters,
        subscriptions: [subscriptionId(1)],
        options: { skipToken: first.skipToken },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      local.clients.resourceGraph.resources({ query: QUERIES.clusters, options: { skipToken: 'bm90IGEgdG9rZW4=' } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

// readInventory against the simulator: the chain query, then the clusters query over the subscriptions it found.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { readInventory } from '../../src/inventory/inventory';
import { SUBSCRIPTION_CHAINS_QUERY } from '../../src/inventory/queries';
import { ResourceGraphReader } from '../../src/inventory/resourceGraph';
import { generateFleet, type GeneratedFleet } from '../../sim/fleet/generator';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(60_000);

let generated: GeneratedFleet;
let local: LocalAzure;

function subOf(id: string): string {
  return id.split('/')[2].toLowerCase();
}

beforeAll(async () => {
  generated = generateFleet({ seed: 17, clusters: 1500, subscriptions: 12, regions: 4 });
  local = await startLocalAzure({ fleet: generated.fleet });
});
afterAll(async () => {
  await local?.stop();
});
beforeEach(() => {
  local.sim.faults.clear();
  local.sim.counters.reset();
  local.sim.resetQuota();
});

function reader(client: ResourceGraphClient = local.clients.resourceGraph): ResourceGraphReader {
  return new ResourceGraphReader(client, { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 });
}

describe('readInventory', () => {
  it('reads the tenant: one chain page, then ceil(1500/1000) cluster pages and one page of AKS notifications', async () => {
    const inventory = await readInventory(reader(), {});
    expect(inventory.complete).toBe(true);
    expect(inventory.problems).toEqual([]);
    expect([...inventory.clusters].map((c) => c.id).sort()).toEqual(generated.fleet.clusters.map((c) => c.id).sort());
    expect(local.sim.counters.snapshot().resourceGraph).toBe(1 + 2 + 1);
    // Every cluster carries its notifications as read (rows under its ID).
    const notified = [...inventory.clusters].filter(
      (c) => c.notifications?.readable && c.notifications.items.length > 0,
    );
    expect(notified.length).toBe(
      new Set(generated.fleet.containerServiceEvents?.map((e) => e.id.split('/scheduledevents/')[0].toLowerCase()))
        .size,
    );
    expect(inventory.subscriptions.map((s) => s.toLowerCase()).sort()).toEqual(
      generated.fleet.subscriptions.map((s) => s.subscriptionId.toLowerCase()).sort(),
    );
    for (const sub of generated.fleet.subscriptions) {
      expect(inventory.chains.get(sub.subscriptionId.toLowerCase())).toEqual(
        sub.managementGroupAncestorsChain.map((g) => g.name),
      );
    }
    const first = [...inventory.clusters][0];
    expect(first.properties).toEqual(expect.objectContaining({ agentPoolProfiles: expect.any(Array) }));
    expect(typeof first.subscriptionId).toBe('string');
  });

  it('names a refused subscription once and reads the rest', async () => {
    const subs = generated.fleet.subscriptions.map((s) => s.subscriptionId);
    const refused = subs.find((s) => generated.fleet.clusters.some((c) => subOf(c.id) === s.toLowerCase()))!;
    local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [refused] });
    const inventory = await readInventory(reader(), { subscriptions: subs });
    expect(inventory.complete).toBe(false);
    expect(inventory.problems.map((p) => p.scope)).toEqual([`/subscriptions/${refused}`]);
    // Resource Graph answered without it (no error): the comparison with the configured list names it.
    expect(inventory.problems[0].message).toMatch(new RegExp(`subscription ${refused} is no longer readable`));
    expect([...inventory.subscriptions].sort()).toEqual(subs.filter((s) => s !== refused).sort());
    expect([...inventory.clusters].map((c) => c.id).sort()).toEqual(
      generated.fleet.clusters
        .filter((c) => subOf(c.id) !== refused.toLowerCase())
        .map((c) => c.id)
        .sort(),
    );
    expect(inventory.chains.has(refused.toLowerCase())).toBe(false);
  });

  it('reads the clusters over the original scope when the chain read fails', async () => {
    // The SDK's own retries are off here, so that each failure reaches the reader.
    const noRetry = new ResourceGraphClient(local.clients.credential, {
      endpoint: local.settings.armEndpoint,
      credentials: { scopes: [`${local.settings.armEndpoint}/.default`] },
      retryOptions: { maxRetries: 0 },
    });
    // Every attempt of the chain query is answered 503; the clusters query is never faulted. The fault is armed per
    // request by the query it carries (not by request order), so no other request can take it, and the clusters
    // pages keep the reader's retries for anything transient.
    const chainAttempts: string[] = [];
    const client = {
      resources: (...args: Parameters<ResourceGraphClient['resources']>) => {
        if (args[0].query === SUBSCRIPTION_CHAINS_QUERY) {
          chainAttempts.push(args[0].query);
          local.sim.faults.set('resourceGraph', { failNext: { count: 1, kind: 'error' } });
        } else {
          local.sim.faults.clear('resourceGraph');
        }
        return noRetry.resources(...args);
      },
    } as unknown as ResourceGraphClient;
    const inventory = await readInventory(
      new ResourceGraphReader(client, { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 }),
      {},
    );
    expect(chainAttempts).toHaveLength(3);
    expect(inventory.complete).toBe(false);
    expect(inventory.problems).toHaveLength(1);
    expect(inventory.problems[0].message).toMatch(/page 1 failed after 3 attempts \(HTTP 503/);
    expect(inventory.chains.size).toBe(0);
    expect(inventory.subscriptions).toEqual([]);
    // The clusters query ran over the tenant (not over an empty list of subscriptions) and read both of its pages;
    // the notifications query followed it over the same scope.
    expect([...inventory.clusters].map((c) => c.id).sort()).toEqual(generated.fleet.clusters.map((c) => c.id).sort());
    const statuses = local.sim.counters.byStatus();
    expect(statuses['resourceGraph 503']).toBe(3);
    expect(statuses['resourceGraph 200']).toBe(3);
  });

  it('reads a management group: its subscriptions, then their clusters', async () => {
    const group = generated.fleet.subscriptions[0].managementGroupAncestorsChain[0].name;
    const under = generated.fleet.subscriptions
      .filter((s) => s.managementGroupAncestorsChain.some((g) => g.name === group))
      .map((s) => s.subscriptionId.toLowerCase());
    const inventory = await readInventory(reader(), { managementGroups: [group] });
    expect(inventory.complete).toBe(true);
    expect([...inventory.chains.keys()].sort()).toEqual([...under].sort());
    expect([...inventory.clusters].every((c) => under.includes(subOf(c.id)))).toBe(true);
    expect(inventory.clusters).toHaveLength(generated.fleet.clusters.filter((c) => under.includes(subOf(c.id))).length);
  });

  it('at tenant scope, names a subscription the last complete run read that Resource Graph no longer returns', async () => {
    const subs = generated.fleet.subscriptions.map((s) => s.subscriptionId);
    const lost = subs[3];
    local.sim.faults.set('resourceGraph', { forbiddenSubscriptions: [lost] });
    const inventory = await readInventory(reader(), {}, { expectedSubscriptions: subs });
    expect(inventory.complete).toBe(false);
    expect(inventory.problems).toEqual([
      expect.objectContaining({
        scope: `/subscriptions/${lost}`,
        message: expect.stringMatching(/no longer readable/),
      }),
    ]);
    expect([...inventory.clusters].some((c) => subOf(c.id) === lost.toLowerCase())).toBe(false);
    // Without the expectation (no earlier complete run) the omission cannot be seen: nothing is claimed.
    const first = await readInventory(reader(), {});
    expect(first.complete).toBe(true);
  });

  it('an oversized management group (TooManySubscriptionsUnderScope) is a named problem, never a cut-short answer', async () => {
    const small = await startLocalAzure({ fleet: generated.fleet, simulator: { maxManagementGroupSubscriptions: 2 } });
    try {
      const group = generated.fleet.subscriptions[0].managementGroupAncestorsChain[0].name;
      const inventory = await readInventory(reader(small.clients.resourceGraph), { managementGroups: [group] });
      expect(inventory.complete).toBe(false);
      expect([...inventory.clusters]).toEqual([]);
      expect(inventory.problems.map((p) => p.message).join(' ')).toMatch(
        new RegExp(`management group ${group} holds more subscriptions.*TooManySubscriptionsUnderScope`),
      );
      // At tenant scope the answer covers the first subscriptions only, said by a header: the run is incomplete.
      const tenant = await readInventory(reader(small.clients.resourceGraph), {});
      expect(tenant.complete).toBe(false);
      expect(tenant.problems.map((p) => p.message).join(' ')).toMatch(/x-ms-tenant-subscription-limit-hit/);
    } finally {
      await small.stop();
    }
  });
});

// readInventory against the simulator: the chain query, then the clusters query over the subscriptions it found.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { readInventory } from '../../src/inventory/inventory';
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
  it('reads the tenant: one chain page, then ceil(1500/1000) cluster pages', async () => {
    const inventory = await readInventory(reader(), {});
    expect(inventory.complete).toBe(true);
    expect(inventory.problems).toEqual([]);
    expect(inventory.clusters.map((c) => c.id).sort()).toEqual(generated.fleet.clusters.map((c) => c.id).sort());
    expect(local.sim.counters.snapshot().resourceGraph).toBe(1 + 2);
    expect(inventory.subscriptions.map((s) => s.toLowerCase()).sort()).toEqual(
      generated.fleet.subscriptions.map((s) => s.subscriptionId.toLowerCase()).sort(),
    );
    for (const sub of generated.fleet.subscriptions) {
      expect(inventory.chains.get(sub.subscriptionId.toLowerCase())).toEqual(
        sub.managementGroupAncestorsChain.map((g) => g.name),
      );
    }
    const first = inventory.clusters[0];
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
    expect(inventory.subscriptions).toEqual(subs.filter((s) => s !== refused));
    expect(inventory.clusters.map((c) => c.id).sort()).toEqual(
      generated.fleet.clusters
        .filter((c) => subOf(c.id) !== refused.toLowerCase())
        .map((c) => c.id)
        .sort(),
    );
    expect(inventory.chains.has(refused.toLowerCase())).toBe(false);
  });

  it('reads the clusters over the original scope when the chain read fails', async () => {
    // The SDK's own retries are off here, so that the one failure reaches the reader.
    const noRetry = new ResourceGraphClient(local.clients.credential, {
      endpoint: local.settings.armEndpoint,
      credentials: { scopes: [`${local.settings.armEndpoint}/.default`] },
      retryOptions: { maxRetries: 0 },
    });
    let n = 0;
    const client = {
      resources: (...args: Parameters<ResourceGraphClient['resources']>) => {
        n++;
        // The chain query's only attempt fails; the clusters query is served normally.
        if (n === 1) local.sim.faults.set('resourceGraph', { failNext: { count: 1, kind: 'error' } });
        return noRetry.resources(...args);
      },
    } as unknown as ResourceGraphClient;
    const inventory = await readInventory(
      new ResourceGraphReader(client, { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 1 }),
      {},
    );
    expect(inventory.complete).toBe(false);
    expect(inventory.problems).toHaveLength(1);
    expect(inventory.problems[0].message).toMatch(/HTTP 503/);
    expect(inventory.chains.size).toBe(0);
    expect(inventory.clusters).toHaveLength(generated.fleet.clusters.length);
  });

  it('reads a management group: its subscriptions, then their clusters', async () => {
    const group = generated.fleet.subscriptions[0].managementGroupAncestorsChain[0].name;
    const under = generated.fleet.subscriptions
      .filter((s) => s.managementGroupAncestorsChain.some((g) => g.name === group))
      .map((s) => s.subscriptionId.toLowerCase());
    const inventory = await readInventory(reader(), { managementGroups: [group] });
    expect(inventory.complete).toBe(true);
    expect([...inventory.chains.keys()].sort()).toEqual([...under].sort());
    expect(inventory.clusters.every((c) => under.includes(subOf(c.id)))).toBe(true);
    expect(inventory.clusters).toHaveLength(generated.fleet.clusters.filter((c) => under.includes(subOf(c.id))).length);
  });
});

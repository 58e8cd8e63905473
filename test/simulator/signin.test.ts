import { ClientSecretCredential } from '@azure/identity';
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import { QUERIES } from '../../src/inventory/queries';
import { startSimulator, type Simulator } from '../../sim';
import { trustCa } from '../../sim/trust';
import { smallFleet } from './smallFleet';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator(smallFleet({ clusters: 30 }));
  trustCa(sim.caPem);
});
afterAll(() => sim?.stop());

it('signs in and queries', async () => {
  const settings = loadSettings(sim.env);
  const clients = createAzureClients(settings);
  expect(clients.credential).toBeInstanceOf(ClientSecretCredential);
  const r = await clients.resourceGraph.resources({ query: QUERIES.clusters, options: { top: 10 } });
  expect(r.count).toBe(10);
  console.log(JSON.stringify(r).slice(0, 600));
  console.log(sim.counters.snapshot());
});

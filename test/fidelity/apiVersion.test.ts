// The AKS resource provider's api-version is pinned (AKS_API_VERSION), and an api-version the service does not
// serve is refused with InvalidApiVersionParameter, which the product reports as unknown naming the version.
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { AKS_API_VERSION } from '../../src/azure/apiVersions';
import { fetchRegionCatalogs } from '../../src/catalog/versionCatalog';
import { toClusterRecord } from '../../src/inventory/clusters';
import { AKS_SERVED_API_VERSIONS } from '../../sim/aks';
import { generateFleet } from '../../sim/fleet/generator';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

jest.setTimeout(60_000);

let local: LocalAzure;
const generated = generateFleet({ seed: 5, clusters: 6, subscriptions: 2, regions: 2 });
const cluster = generated.fleet.clusters[0];
const subscription = cluster.id.split('/')[2];

beforeAll(async () => {
  local = await startLocalAzure({ fleet: generated.fleet });
});
afterAll(() => local?.stop());
afterEach(() => local.sim.setAksApiVersions(undefined));

it('the factory pins the AKS RP api-version to one the documented examples use', async () => {
  expect(AKS_SERVED_API_VERSIONS).toContain(AKS_API_VERSION);
  const versions = await local.clients
    .containerService(subscription)
    .managedClusters.listKubernetesVersions(cluster.location);
  expect(Array.isArray(versions.values)).toBe(true);
});

it('an SDK client on its own default api-version is refused with InvalidApiVersionParameter naming it', async () => {
  const unpinned = new ContainerServiceClient(local.clients.credential, subscription, {
    endpoint: local.settings.armEndpoint,
    credentials: { scopes: [`${local.settings.armEndpoint}/.default`] },
  });
  const error = await unpinned.managedClusters.listKubernetesVersions(cluster.location).then(
    () => undefined,
    (e: unknown) => e as { statusCode?: number; code?: string; message?: string },
  );
  expect(error).toMatchObject({ statusCode: 400, code: 'InvalidApiVersionParameter' });
  expect(error?.message).toMatch(/The api-version '\d{4}-\d{2}-\d{2}(-preview)?' is invalid/);
});

it('a region catalog behind an unserved api-version is unreadable, naming the pinned api-version', async () => {
  local.sim.setAksApiVersions(['2099-01-01']);
  const record = toClusterRecord(cluster);
  if ('error' in record) throw new Error(record.error);
  const catalogs = await fetchRegionCatalogs(local.clients, [record.record]);
  const catalog = [...catalogs.values()][0];
  expect(catalog.readable).toBe(false);
  if (!catalog.readable) {
    expect(catalog.reason).toContain(`api-version ${AKS_API_VERSION}`);
    expect(catalog.reason).toContain('InvalidApiVersionParameter');
  }
});

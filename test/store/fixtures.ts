// Shared fixtures of the store tests: a small fleet of clusters with four rules, reports built as the scan builds
// them, and stores on Azurite (each with its own table prefix) through the real @azure/data-tables client.
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import type { ClusterReport, Finding, ScanReport, Status } from '../../src/model';
import { buildReport } from '../../src/report/build';
import { FindingStore, type FindingStoreOptions } from '../../src/store/findingStore';
import { startAzurite, type Azurite } from '../harness/azurite';

export const RULES = [
  'aks_version_supported',
  'aks_local_accounts_disabled',
  'aks_entra_id_enabled',
  'aks_node_image_current',
];

export function clusterId(i: number): string {
  const sub = `00000000-0000-0000-0000-${String(i % 7).padStart(12, '0')}`;
  return `/subscriptions/${sub}/resourceGroups/rg-${i % 5}/providers/Microsoft.ContainerService/managedClusters/aks-${String(i).padStart(4, '0')}`;
}

export function finding(ruleId: string, status: Status, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    status,
    severity: status === 'fail' ? 'high' : 'medium',
    title: `${ruleId} title`,
    message: `${ruleId} is ${status}`,
    remediation: `az aks update --name x --resource-group y`,
    details: { rule: ruleId },
    ...extra,
  };
}

export function cluster(i: number, statuses: Partial<Record<string, Status>> = {}): ClusterReport {
  const id = clusterId(i);
  return {
    id,
    name: `aks-${String(i).padStart(4, '0')}`,
    subscriptionId: id.split('/')[2],
    resourceGroup: `rg-${i % 5}`,
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags: { env: i % 2 ? 'prod' : 'dev' },
    findings: RULES.map((r, k) => finding(r, statuses[r] ?? ((i + k) % 3 === 0 ? 'fail' : 'pass'))),
  };
}

export function report(runId: string, clusters: ClusterReport[], complete = true): ScanReport {
  return buildReport({
    runId,
    asOf: new Date('2026-11-27T02:00:00Z'),
    startedAt: new Date('2026-11-27T02:00:00Z'),
    finishedAt: new Date('2026-11-27T02:01:00Z'),
    scope: { subscriptions: [], managementGroups: [] },
    complete,
    clusters,
    problems: complete ? [] : [{ source: 'resourceGraph', scope: '/subscriptions/x', message: 'forbidden' }],
  });
}

/** Entities written to the state tables (Latest, Changes, History). */
export function stateWrites(store: FindingStore): number {
  const t = store.counters.byTable;
  return t.latest.entities + t.changes.entities + t.history.entities;
}

/** Azurite for one test file (started in beforeAll, stopped in afterAll) and stores on fresh table prefixes. */
export function useAzurite(): {
  clients: () => ReturnType<typeof createAzureClients>;
  newPrefix: () => string;
  newStore: (options?: FindingStoreOptions) => FindingStore;
} {
  let azurite: Azurite | undefined;
  let counter = 0;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.dispose();
  });
  const clients = (): ReturnType<typeof createAzureClients> =>
    createAzureClients(loadSettings({ AKS_COMPLIANCE_STORAGE: azurite!.connectionString }));
  const newPrefix = (): string => {
    counter += 1;
    return `t${Date.now() % 100000}n${counter}`;
  };
  return {
    clients,
    newPrefix,
    newStore: (options = {}) => new FindingStore(clients(), { tablePrefix: newPrefix(), ...options }),
  };
}

// `aks-compliance report`: a stored report printed through the CLI, against Azurite.
import { createAzureClients } from '../../src/azure/clients';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { loadSettings } from '../../src/config/settings';
import type { ClusterReport } from '../../src/model';
import { buildReport } from '../../src/report/build';
import { FindingStore } from '../../src/store/findingStore';
import { startAzurite, type Azurite } from '../harness/azurite';

let azurite: Azurite;

function io(): CliIO & { out: string; err: string } {
  const result = {
    out: '',
    err: '',
    stdout: (t: string) => void (result.out += t),
    stderr: (t: string) => void (result.err += t),
    env: { AKS_COMPLIANCE_STORAGE: azurite.connectionString },
    isTTY: false,
    cwd: process.cwd(),
  };
  return result;
}

const SUB = '33333333-3333-4333-8333-333333333333';
const cluster: ClusterReport = {
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-cli`,
  name: 'aks-cli',
  subscriptionId: SUB,
  resourceGroup: 'rg',
  location: 'westeurope',
  kubernetesVersion: '1.30.1',
  tags: {},
  findings: [
    {
      ruleId: 'aks_version_supported',
      status: 'fail',
      severity: 'critical',
      title: 'supported',
      message: 'unsupported minor',
      remediation: 'az aks upgrade --resource-group rg --name aks-cli --kubernetes-version 1.33.2',
      details: {},
    },
  ],
};
const report = buildReport({
  runId: '20261127T020000Z-cli001',
  asOf: new Date('2026-11-27T02:00:00Z'),
  startedAt: new Date('2026-11-27T02:00:00Z'),
  finishedAt: new Date('2026-11-27T02:00:30Z'),
  scope: { subscriptions: [], managementGroups: [] },
  complete: true,
  clusters: [cluster],
  problems: [],
});

beforeAll(async () => {
  azurite = await startAzurite();
  const clients = createAzureClients(loadSettings({ AKS_COMPLIANCE_STORAGE: azurite.connectionString }));
  await new FindingStore(clients).recordRun(report, { trigger: 'cli' });
});
afterAll(async () => {
  await azurite?.dispose();
});

describe('aks-compliance report', () => {
  it('prints the latest stored report as JSON', async () => {
    const out = io();
    expect(await main(['report', '--format', 'json'], out)).toBe(0);
    expect(JSON.parse(out.out)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('prints one run, filtered, and honours --fail-on', async () => {
    const out = io();
    const code = await main(
      ['report', '--run', report.runId, '--format', 'csv', '--status', 'fail', '--fail-on', 'high'],
      out,
    );
    expect(code).toBe(1);
    expect(out.out).toContain('aks_version_supported');
  });

  it('lists runs', async () => {
    const out = io();
    expect(await main(['report', '--list'], out)).toBe(0);
    expect(out.out).toContain(`${report.runId}  completed  cli`);
  });

  it.each([
    [['report', '--run', '20200101T000000Z-nope00'], 'not in the store'],
    [['report', '--run', 'a/b'], '--run'],
    [['report', '--format', 'pdf'], '--format'],
    [['report', '--severity', 'urgent'], 'severity'],
  ])('exits 2 with one line for %j', async (argv, mentions) => {
    const out = io();
    expect(await main(argv, out)).toBe(2);
    expect(out.err).toContain(mentions);
    expect(out.err.trim().split('\n')).toHaveLength(1);
  });
});

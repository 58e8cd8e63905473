// `az aks list` / `az aks show` output gives exactly the findings of the ARM wire form: every verbatim AKS cluster
// example is turned into the CLI's form (as the Azure CLI prints it: `properties` lifted, every name re-cased from
// the Python SDK's snake_case attribute, null for what Azure did not send, `resourceGroup` added) and both files go
// through `aks-compliance evaluate`.
import { join } from 'node:path';
import {
  kubernetesVersionsExample,
  managedClusterExamples,
  managedClustersListExample,
} from '../../sim/fleet/fixtures';
import { CliSandbox } from '../../test/cli/helpers';
import { azCliClusterToWire, isAzCliClusterRow } from './azCliForm';
import { parseClustersInput } from './inputs';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields whose value is a dictionary: its keys are data (tag names, add-on names, identity IDs) and stay as they are. */
const DICTIONARIES = new Set([
  'tags',
  'addonProfiles',
  'config',
  'userAssignedIdentities',
  'identityProfile',
  'nodeLabels',
]);

/** A wire name as the CLI prints it: the Python SDK's snake_case attribute (autorest's word split), in camelCase. */
function cliName(wireName: string): string {
  const words = wireName.split(/[-_]/).flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? []);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
}

function recase(value: unknown, dictionary = false): unknown {
  if (Array.isArray(value)) return value.map((item) => recase(item));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => (dictionary ? [k, recase(v)] : [cliName(k), recase(v, DICTIONARIES.has(k))])),
  );
}

/** A wire-form cluster as `az aks show -o json` prints it. */
function toCliForm(wire: Json): Json {
  const { properties, ...top } = wire;
  const lifted = recase({ ...(properties as Json), ...top }) as Json;
  // The CLI prints every attribute of the model; what Azure did not send is null.
  for (const name of [
    'aadProfile',
    'apiServerAccessProfile',
    'autoUpgradeProfile',
    'disableLocalAccounts',
    'enableRbac',
    'sku',
  ])
    if (!(name in lifted)) lifted[name] = null;
  lifted.resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(String(wire.id))?.[1];
  return lifted;
}

/** Each verbatim cluster, plus copies with the renamed fields set, so that every renamed field decides a verdict. */
function cases(): { name: string; wire: Json }[] {
  const examples = [
    ...managedClusterExamples().map(({ file, body }) => ({ name: file, wire: body })),
    ...managedClustersListExample().value.map((body, i) => ({ name: `ManagedClustersList value[${i}]`, wire: body })),
  ];
  const [first] = managedClusterExamples();
  const variant = (name: string, patch: Json): { name: string; wire: Json } => {
    const wire = structuredClone(first.body);
    Object.assign(wire.properties as Json, patch);
    return { name: `${first.file} with ${name}`, wire };
  };
  return [
    ...examples,
    variant('Entra ID, Azure RBAC, admin groups, no local accounts', {
      aadProfile: {
        managed: true,
        enableAzureRBAC: true,
        adminGroupObjectIDs: ['00000000-0000-0000-0000-00000000000a'],
      },
      enableRBAC: true,
      disableLocalAccounts: true,
    }),
    variant('channels and authorized IP ranges', {
      autoUpgradeProfile: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'SecurityPatch' },
      apiServerAccessProfile: { authorizedIPRanges: ['203.0.113.0/24'], enablePrivateCluster: false },
    }),
    variant('an open API server and the legacy node-image channel', {
      autoUpgradeProfile: { upgradeChannel: 'node-image', nodeOSUpgradeChannel: 'None' },
      apiServerAccessProfile: { authorizedIPRanges: ['0.0.0.0/0'] },
    }),
  ];
}

const sandbox = new CliSandbox();
afterAll(() => sandbox.remove());
sandbox.write('versions.json', kubernetesVersionsExample());

async function findings(file: string): Promise<unknown[]> {
  const run = await sandbox.run(
    'evaluate',
    '--clusters',
    file,
    '--versions',
    'versions.json',
    '--as-of',
    '2026-11-27',
    '--format',
    'json',
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { clusters: unknown[] }).clusters;
}

describe('az aks list / az aks show output (the CLI form)', () => {
  const all = cases();

  it.each(all.map((c, i) => [c.name, i] as const))('%s: the same findings as the ARM wire form', async (_name, i) => {
    const { wire } = all[i];
    const cli = toCliForm(wire);
    expect(isAzCliClusterRow(cli)).toBe(true);
    expect(isAzCliClusterRow(wire)).toBe(false);
    const armFile = sandbox.write(`arm-${i}.json`, [wire]);
    const cliFile = sandbox.write(`cli-${i}.json`, [cli]);
    const showFile = sandbox.write(`show-${i}.json`, cli);
    const expected = await findings(armFile);
    expect((expected[0] as { findings: unknown[] }).findings.length).toBeGreaterThan(10);
    expect(await findings(cliFile)).toEqual(expected);
    expect(await findings(showFile)).toEqual(expected);
  });

  it('restores the wire names and `properties`, keeping dictionary keys and the fields the model does not know', () => {
    const cli = {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1',
      name: 'c1',
      location: 'westeurope',
      resourceGroup: 'rg',
      tags: { 'Cost-Center': 'x', owner: 'a@contoso.com' },
      enableRbac: true,
      disableLocalAccounts: null,
      currentKubernetesVersion: '1.33.2',
      aadProfile: { managed: true, enableAzureRbac: false, adminGroupObjectIDs: ['g1'], tenantId: 't' },
      autoUpgradeProfile: { upgradeChannel: 'stable', nodeOsUpgradeChannel: 'NodeImage' },
      apiServerAccessProfile: { authorizedIpRanges: ['198.51.100.0/24'], enablePrivateCluster: false },
      autoScalerProfile: { scanInterval: '20s' },
      addonProfiles: { omsAgent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: '/x' } } },
      agentPoolProfiles: [
        {
          name: 'np1',
          currentOrchestratorVersion: '1.33.2',
          nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202405.27.0',
          osType: 'Linux',
        },
      ],
      sku: { name: 'Base', tier: 'Premium' },
    };
    expect(azCliClusterToWire(cli)).toEqual({
      id: cli.id,
      name: 'c1',
      location: 'westeurope',
      resourceGroup: 'rg',
      tags: cli.tags,
      sku: { name: 'Base', tier: 'Premium' },
      properties: {
        enableRBAC: true,
        currentKubernetesVersion: '1.33.2',
        aadProfile: { managed: true, enableAzureRBAC: false, adminGroupObjectIDs: ['g1'], tenantID: 't' },
        autoUpgradeProfile: { upgradeChannel: 'stable', nodeOSUpgradeChannel: 'NodeImage' },
        apiServerAccessProfile: { authorizedIPRanges: ['198.51.100.0/24'], enablePrivateCluster: false },
        autoScalerProfile: { 'scan-interval': '20s' },
        addonProfiles: { omsAgent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: '/x' } } },
        agentPoolProfiles: [
          {
            name: 'np1',
            currentOrchestratorVersion: '1.33.2',
            nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202405.27.0',
            osType: 'Linux',
          },
        ],
      },
    });
  });

  it('accepts a file mixing both forms, each cluster judged as in its own form', async () => {
    // Two examples (they share one cluster ID: the second gets its own name).
    const [first, second] = managedClusterExamples().map((e) => e.body);
    const a = first;
    const b = structuredClone(second);
    b.id = String(b.id).replace(/\/managedClusters\/[^/]+$/, '/managedClusters/second-cluster');
    b.name = 'second-cluster';
    const mixed = sandbox.write('mixed.json', { value: [a, toCliForm(b)] });
    const separate = [
      ...(await findings(sandbox.write('a.json', [a]))),
      ...(await findings(sandbox.write('b.json', [b]))),
    ];
    expect(await findings(mixed)).toEqual(separate);
    expect(parseClustersInput([a, toCliForm(b)], 'mixed.json').map((c) => c.id)).toEqual([a.id, b.id]);
  });

  it('names the row and the form when a CLI row cannot be read', () => {
    const cli = toCliForm(managedClustersListExample().value[0]);
    delete cli.id;
    expect(() => parseClustersInput([cli], join('x', 'aks.json'))).toThrow(
      /aks\.json: row 0: row has no string "id" \(read as `az aks list` output\)/,
    );
  });
});

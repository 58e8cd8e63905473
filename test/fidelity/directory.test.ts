// The sample fleet end to end through runScanJob with the store: Graph objects stripped by the token's roles
// (case 4), principal types outside the directory (case 7), an AKS api-version the service does not serve (case 8),
// and keys of long non-ASCII names (case 9). No fail is resolved in any of them.
import { createAzureClients } from '../../src/azure/clients';
import { AKS_API_VERSION } from '../../src/azure/apiVersions';
import { loadSettings } from '../../src/config/settings';
import { runScanJob } from '../../src/scan/job';
import type { ScanReport } from '../../src/model';
import { changeClusters, DEFAULT_AS_OF } from '../../sim/fleet/generator';
import { sampleFleet } from '../../sim/fleet/sample';
import { diffVerdicts, startFaultEnv, truthVerdicts, verdicts, type FaultEnv } from '../faults/harness';

jest.setTimeout(240_000);

let env: FaultEnv;
let baseline: ScanReport;
const generated = sampleFleet(DEFAULT_AS_OF);

beforeAll(async () => {
  env = await startFaultEnv({ generated });
  baseline = (await env.job({ asOf: DEFAULT_AS_OF })).report;
}, 240_000);
afterAll(async () => {
  await env?.stop();
});
afterEach(() => {
  env.local.sim.signIn.setApplicationRoles(env.local.settings.clientId!, 'graph', ['Directory.Read.All', 'Mail.Send']);
  env.local.sim.setAksApiVersions(undefined);
});

/** A scan job with clients signed in afresh (a new token carries the roles granted now). */
async function freshJob(notify = true) {
  const settings = loadSettings(env.local.env);
  const clients = createAzureClients(settings);
  return runScanJob(
    { settings: { ...env.settings }, clients, store: env.store, log: () => undefined },
    { trigger: 'timer', asOf: DEFAULT_AS_OF, notify, keepReport: true },
  );
}

function find(report: ScanReport, name: string, rule: string) {
  return report.clusters.find((c) => c.name === name)!.findings.find((f) => f.ruleId === rule)!;
}

async function storedStatus(name: string, rule: string): Promise<string | undefined> {
  const id = baseline.clusters.find((c) => c.name === name)!.id;
  return (await env.store.getClusterHistory(id))?.cluster.findings.find((f) => f.ruleId === rule)?.status;
}

it('the sample fleet (a ForeignGroup and a Device among its principals) is judged as its ground truth says', () => {
  expect(diffVerdicts(verdicts(baseline), truthVerdicts(generated))).toEqual([]);
  // The cluster with the ForeignGroup and Device assignments is not called orphaned.
  expect(find(baseline, 'aks-platform-prod-weu', 'aks_rbac_no_orphaned_assignments').status).toBe('pass');
  expect(find(baseline, 'aks-platform-prod-weu', 'aks_rbac_no_orphaned_assignments').message).toMatch(
    /not checked .*ForeignGroup.*Device|not checked .*Device.*ForeignGroup/,
  );
});

it('without User.Read.All or Directory.Read.All, users come back with id and type only: the guest admin is unknown naming Directory.Read.All, its fail stays', async () => {
  expect(find(baseline, 'aks-fraud-prod-eus2', 'aks_rbac_no_guest_admins').status).toBe('fail');
  env.local.sim.signIn.setApplicationRoles(env.local.settings.clientId!, 'graph', [
    'GroupMember.Read.All',
    'Application.Read.All',
    'Mail.Send',
  ]);
  const run = await freshJob();
  const guest = find(run.report, 'aks-fraud-prod-eus2', 'aks_rbac_no_guest_admins');
  expect(guest.status).toBe('unknown');
  expect(guest.message).toContain('Directory.Read.All');
  expect(guest.message).toContain('userType');
  // Nothing else turned into a pass: no rule passes now that failed before.
  for (const [id, rules] of verdicts(run.report)) {
    for (const [rule, verdict] of Object.entries(rules)) {
      const before = verdicts(baseline).get(id)?.[rule];
      if (before?.startsWith('fail')) expect(`${id} ${rule} ${verdict}`).not.toMatch(/ pass$/);
    }
  }
  expect(await storedStatus('aks-fraud-prod-eus2', 'aks_rbac_no_guest_admins')).toBe('fail');
});

it('without a group permission, groups come back with id and type only: admin groups are unknown naming Directory.Read.All, never valid', async () => {
  env.local.sim.signIn.setApplicationRoles(env.local.settings.clientId!, 'graph', ['User.Read.All', 'Mail.Send']);
  const run = await freshJob(false);
  const groups = find(run.report, 'aks-payments-prod-weu', 'aks_admin_groups_valid');
  expect(groups.status).toBe('unknown');
  expect(groups.message).toContain('securityEnabled');
  expect(groups.message).toContain('Directory.Read.All');
  // The deleted admin group is still a certain fail (absent is absent, whatever the permission).
  expect(find(run.report, 'aks-ledger-prod-weu', 'aks_admin_groups_valid').status).toBe('fail');
  expect(await storedStatus('aks-identity-stg-weu', 'aks_admin_groups_valid')).toBe('fail');
});

it('an AKS api-version the service does not serve: version rules unknown naming it, their fails stay', async () => {
  expect(find(baseline, 'aks-payments-stg-weu', 'aks_version_patch_current').status).toBe('fail');
  env.local.sim.setAksApiVersions(['2099-01-01']);
  const run = await env.job({ asOf: DEFAULT_AS_OF, notify: false });
  const version = find(run.report, 'aks-payments-stg-weu', 'aks_version_patch_current');
  expect(version.status).toBe('unknown');
  expect(version.message).toContain(`api-version ${AKS_API_VERSION}`);
  expect(
    run.report.problems?.some(
      (p) => p.source === 'containerService' && p.message.includes('InvalidApiVersionParameter'),
    ),
  ).toBe(true);
  expect(await storedStatus('aks-payments-stg-weu', 'aks_version_patch_current')).toBe('fail');
});

it('a cluster in a resource group with a long non-ASCII name is stored with keys within 1 KiB', async () => {
  // The longest names Azure allows: a 90-character resource group of 3-byte characters, a 63-character cluster name.
  const rg = '日本語のリソースグループ'.repeat(8).slice(0, 90);
  const renamed = changeClusters(generated, [generated.fleet.clusters[3].id], (c) => {
    c.resourceGroup = rg;
    c.name = `aks-${'x'.repeat(59)}`;
  });
  env.setFleet(renamed);
  try {
    const run = await env.job({ asOf: DEFAULT_AS_OF, notify: false });
    expect(run.run.status).toBe('completed');
    const stored = run.report.clusters.find((c) => c.resourceGroup.toLowerCase() === rg.toLowerCase())!;
    expect(stored).toBeDefined();
    const state = await env.store.getClusterHistory(stored.id);
    expect(state?.cluster.findings).toHaveLength(stored.findings.length);
    const latest = env.local.clients.tableClient('akscomplianceLatest');
    let longest = 0;
    for await (const e of latest.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) {
      longest = Math.max(longest, Buffer.byteLength(String(e.rowKey), 'utf16le'));
    }
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(1024);
  } finally {
    env.setFleet(generated);
  }
});

// `aks-compliance evaluate` on the verbatim AKS examples (and edited copies of them), in process through main().
import type { ClusterReport, ScanReport } from '../../src/model';
import { validateReport } from '../../src/report/schema';
import { CliSandbox, exampleBody, oneErrorLine } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SUB = '00000000-0000-0000-0000-000000000000';
const AS_OF = '2026-11-27';

/** The verbatim ManagedClustersList entry, renamed so several edited copies can sit in one file. */
function listedCluster(name: string, edit: (c: Json) => void = () => undefined): Json {
  const body = exampleBody('aks/ManagedClustersList.2025-10-01.json') as { value: Json[] };
  const cluster = structuredClone(body.value[0]);
  cluster.id = cluster.id.replace(/clustername1$/, name);
  cluster.name = name;
  edit(cluster);
  return cluster;
}

/** A cluster following every best practice the catalog rules check, on the verbatim catalog's newest 1.25 patch. */
function compliant(c: Json): void {
  const p = c.properties;
  p.kubernetesVersion = '1.25.5';
  p.currentKubernetesVersion = '1.25.5';
  p.agentPoolProfiles[0].orchestratorVersion = '1.25.5';
  p.agentPoolProfiles[0].currentOrchestratorVersion = '1.25.5';
  p.agentPoolProfiles[0].nodeImageVersion = 'AKSUbuntu-2204gen2containerd-202611.10.0';
  p.enableRBAC = true;
  p.disableLocalAccounts = true;
  p.aadProfile = { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: null, tenantID: 'tenantID' };
  p.autoUpgradeProfile = { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'NodeImage' };
  p.apiServerAccessProfile = { enablePrivateCluster: true };
}

function statuses(cluster: ClusterReport): Record<string, string> {
  return Object.fromEntries(
    cluster.findings.map((f) => [
      f.ruleId,
      f.status === 'fail' || f.status === 'exempt' ? `${f.status}:${f.severity}` : f.status,
    ]),
  );
}

function byName(report: ScanReport, name: string): ClusterReport {
  const c = report.clusters.find((x) => x.name === name);
  if (!c) throw new Error(`cluster ${name} not in report`);
  return c;
}

const RBAC_SUBJECT_RULES = [
  'aks_rbac_bindings_use_groups',
  'aks_admin_groups_valid',
  'aks_rbac_no_orphaned_assignments',
  'aks_rbac_no_guest_admins',
];

let box: CliSandbox;
beforeEach(() => {
  box = new CliSandbox();
  // 1.25 is older than the shipped calendar: the users' own calendar (a setting) covers it.
  box.write('calendar.json', {
    source: 'test calendar',
    retrieved: '2026-11-01',
    minors: {
      '1.22': { endOfSupport: '2026-12' },
      '1.24': { endOfSupport: '2026-12-15' },
      '1.25': { endOfSupport: '2027-06' },
    },
  });
  box.env = { AKS_COMPLIANCE_SUPPORT_CALENDAR: `${box.dir}/calendar.json` };
  box.write('versions.json', exampleBody('aks/KubernetesVersions_List.2025-10-01.json'));
});
afterEach(() => box.remove());

async function evaluateJson(clusters: unknown, ...extra: string[]): Promise<ScanReport> {
  box.write('clusters.json', clusters);
  const run = await box.run(
    'evaluate',
    '--clusters',
    'clusters.json',
    '--versions',
    'versions.json',
    '--as-of',
    AS_OF,
    '--format',
    'json',
    ...extra,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as ScanReport;
  expect(validateReport(report)).toEqual([]);
  return report;
}

describe('evaluate on the verbatim examples', () => {
  test('ManagedClustersList as it is (ARM list) with the verbatim version list', async () => {
    const report = await evaluateJson(exampleBody('aks/ManagedClustersList.2025-10-01.json'));
    expect(report).toMatchObject({
      schemaVersion: 1,
      runId: 'offline-2026-11-27',
      asOf: '2026-11-27T00:00:00.000Z',
      complete: true,
      summary: { clusters: 1 },
    });
    const [cluster] = report.clusters;
    expect(cluster).toMatchObject({
      name: 'clustername1',
      subscriptionId: SUB,
      resourceGroup: 'rg1',
      location: 'location1',
      kubernetesVersion: '1.9.6',
      tags: { archv2: '', tier: 'production' },
    });
    expect(cluster.findings).toHaveLength(21);
    expect(statuses(cluster)).toEqual({
      // 1.9 is older than 1.23 (minors compare as numbers) and is not in the catalog.
      aks_version_supported: 'fail:critical',
      aks_version_patch_current: 'not_applicable',
      aks_version_end_of_support_horizon: 'unknown',
      aks_node_pools_match_control_plane: 'pass',
      aks_auto_upgrade_enabled: 'fail:medium',
      aks_node_os_upgrade_managed: 'fail:medium',
      // The list entry carries no nodeImageVersion: no date, never a pass.
      aks_node_image_current: 'unknown',
      aks_entra_id_enabled: 'fail:high',
      aks_entra_id_managed: 'not_applicable',
      aks_local_accounts_disabled: 'fail:high',
      aks_kubernetes_rbac_enabled: 'fail:critical',
      aks_azure_rbac_enabled: 'not_applicable',
      aks_api_server_access_restricted: 'fail:high',
      aks_rbac_bindings_use_groups: 'unknown',
      // No admin groups configured: nothing to resolve, whatever the directory says.
      aks_admin_groups_valid: 'not_applicable',
      aks_rbac_no_orphaned_assignments: 'unknown',
      aks_rbac_no_guest_admins: 'unknown',
      // Without --kube nothing inside the cluster was read; no node OS channel leaves reboots to the user.
      aks_k8s_bindings_use_groups: 'unknown',
      aks_k8s_cluster_admin_holders: 'unknown',
      aks_node_reboot_managed: 'unknown',
      aks_node_reboot_pending: 'unknown',
    });
    expect(report.summary.failBySeverity).toEqual({ critical: 2, high: 3, medium: 2, low: 0 });
  });

  test('edited copies: current, platform support, preview, old patch, legacy Entra ID, stale images, open API server', async () => {
    const clusters = [
      listedCluster('current', compliant),
      listedCluster('platform', (c) => {
        compliant(c);
        c.properties.kubernetesVersion = c.properties.currentKubernetesVersion = '1.22.15';
        for (const p of c.properties.agentPoolProfiles)
          p.orchestratorVersion = p.currentOrchestratorVersion = '1.22.15';
      }),
      listedCluster('preview', (c) => {
        compliant(c);
        c.properties.kubernetesVersion = c.properties.currentKubernetesVersion = '1.26.0';
        for (const p of c.properties.agentPoolProfiles) p.orchestratorVersion = p.currentOrchestratorVersion = '1.26.0';
      }),
      listedCluster('oldpatch', (c) => {
        compliant(c);
        c.properties.kubernetesVersion = c.properties.currentKubernetesVersion = '1.24.6';
        // The control plane moved on; the pool did not.
        c.properties.agentPoolProfiles[0].currentOrchestratorVersion = '1.23.15';
      }),
      listedCluster('legacyaad', (c) => {
        compliant(c);
        c.properties.aadProfile = { clientAppID: 'a', serverAppID: 'b', tenantID: 't' };
        c.properties.autoUpgradeProfile = { upgradeChannel: 'node-image' };
      }),
      listedCluster('stale', (c) => {
        compliant(c);
        c.properties.agentPoolProfiles.push({
          ...c.properties.agentPoolProfiles[0],
          name: 'win',
          osType: 'Windows',
          nodeImageVersion: 'AKSWindows-2022-containerd-20348.2582.240716',
        });
        c.properties.agentPoolProfiles[0].nodeImageVersion = 'AKSUbuntu-2204gen2containerd-202610.14.0';
        c.properties.autoUpgradeProfile = { upgradeChannel: 'stable', nodeOSUpgradeChannel: 'None' };
      }),
      listedCluster('open', (c) => {
        compliant(c);
        c.properties.apiServerAccessProfile = { authorizedIPRanges: ['10.0.0.0/8', '0.0.0.0/0'] };
        c.properties.autoUpgradeProfile = { upgradeChannel: 'rapid', nodeOSUpgradeChannel: 'Unmanaged' };
        c.properties.aadProfile.enableAzureRBAC = false;
      }),
    ];
    const report = await evaluateJson({ value: clusters });
    const current = statuses(byName(report, 'current'));
    for (const [rule, status] of Object.entries(current)) {
      if (rule === 'aks_admin_groups_valid') expect(status).toBe('not_applicable');
      else if (RBAC_SUBJECT_RULES.includes(rule)) expect([rule, status]).toEqual([rule, 'unknown']);
      // Without --kube the in-cluster rules are unknown (the node OS channel here makes reboots not applicable).
      else if (rule === 'aks_node_reboot_managed') expect(status).toBe('not_applicable');
      else if (rule.startsWith('aks_k8s_') || rule === 'aks_node_reboot_pending') expect(status).toBe('unknown');
      else expect([rule, status]).toEqual([rule, 'pass']);
    }
    expect(statuses(byName(report, 'platform'))).toMatchObject({
      aks_version_supported: 'fail:high',
      aks_version_patch_current: 'not_applicable',
      // 1.22 ends 2026-12-31: 34 days after the as-of date, inside the 60-day window.
      aks_version_end_of_support_horizon: 'fail:medium',
    });
    expect(statuses(byName(report, 'preview'))).toMatchObject({
      aks_version_supported: 'fail:medium',
      aks_version_patch_current: 'pass',
    });
    const oldpatch = byName(report, 'oldpatch');
    expect(statuses(oldpatch)).toMatchObject({
      aks_version_supported: 'pass',
      aks_version_patch_current: 'fail:medium',
      aks_version_end_of_support_horizon: 'fail:medium',
      aks_node_pools_match_control_plane: 'fail:medium',
    });
    expect(oldpatch.findings.find((f) => f.ruleId === 'aks_version_patch_current')?.message).toContain('1.24.9');
    expect(oldpatch.findings.find((f) => f.ruleId === 'aks_node_pools_match_control_plane')?.message).toContain(
      'nodepool1',
    );
    expect(statuses(byName(report, 'legacyaad'))).toMatchObject({
      aks_entra_id_enabled: 'pass',
      aks_entra_id_managed: 'fail:medium',
      aks_azure_rbac_enabled: 'fail:low',
      aks_auto_upgrade_enabled: 'fail:medium',
      // The legacy node-image upgrade channel manages node images.
      aks_node_os_upgrade_managed: 'pass',
    });
    const stale = byName(report, 'stale');
    expect(statuses(stale)).toMatchObject({
      aks_node_image_current: 'fail:high',
      aks_node_os_upgrade_managed: 'fail:high',
    });
    expect(stale.findings.find((f) => f.ruleId === 'aks_node_image_current')?.message).toContain('win');
    expect(statuses(byName(report, 'open'))).toMatchObject({
      aks_api_server_access_restricted: 'fail:high',
      aks_node_os_upgrade_managed: 'fail:medium',
      aks_azure_rbac_enabled: 'fail:low',
      aks_auto_upgrade_enabled: 'pass',
    });
  });

  test('Premium with the LTS plan: still judged against the catalog, which lists no LTS for 1.9', async () => {
    const premium = structuredClone(exampleBody('aks/ManagedClustersCreate_Premium.2025-10-01.json'));
    const report = await evaluateJson([premium]);
    expect(statuses(report.clusters[0])).toMatchObject({
      aks_version_supported: 'fail:critical',
      aks_kubernetes_rbac_enabled: 'pass',
      aks_node_image_current: 'unknown',
    });
  });

  test('the LTS plan without Premium on a platform-support minor stays a fail', async () => {
    const c = listedCluster('ltsnotpremium', (x) => {
      compliant(x);
      x.properties.kubernetesVersion = x.properties.currentKubernetesVersion = '1.22.15';
      x.properties.supportPlan = 'AKSLongTermSupport';
      x.sku = { name: 'Base', tier: 'Standard' };
    });
    const report = await evaluateJson([c]);
    expect(statuses(report.clusters[0]).aks_version_supported).toBe('fail:high');
  });

  test('az graph query output ({"data": [...]}) with Resource Graph rows', async () => {
    const row = listedCluster('fromgraph', compliant);
    const graphRow = {
      ...row,
      type: 'microsoft.containerservice/managedclusters',
      resourceGroup: 'rg1',
      subscriptionId: SUB,
    };
    const report = await evaluateJson({ count: 1, data: [graphRow], skip_token: null, total_records: 1 });
    expect(report.clusters.map((c) => c.name)).toEqual(['fromgraph']);
    expect(statuses(report.clusters[0]).aks_version_supported).toBe('pass');
  });

  test('the older table form ({"data": {"columns", "rows"}})', async () => {
    const row = listedCluster('tabular', compliant);
    const columns = ['id', 'name', 'location', 'properties', 'tags'];
    const report = await evaluateJson({
      data: { columns: columns.map((name) => ({ name, type: 'string' })), rows: [columns.map((k) => row[k])] },
    });
    expect(report.clusters[0]).toMatchObject({ name: 'tabular', resourceGroup: 'rg1' });
  });

  test('without --versions the version rules are unknown; the report stays complete', async () => {
    box.write('clusters.json', [listedCluster('nover', compliant)]);
    const run = await box.run('evaluate', '--clusters', 'clusters.json', '--as-of', AS_OF, '--format', 'json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(report.complete).toBe(true);
    expect(statuses(report.clusters[0])).toMatchObject({
      aks_version_supported: 'unknown',
      aks_entra_id_enabled: 'pass',
    });
  });

  test('a versions mapping by location; a location missing from it is unknown', async () => {
    box.write('versions.json', {
      'West Europe': exampleBody('aks/KubernetesVersions_List.2025-10-01.json'),
    });
    const report = await evaluateJson([
      listedCluster('we', (c) => {
        compliant(c);
        c.location = 'westeurope';
      }),
      listedCluster('elsewhere', compliant),
    ]);
    expect(statuses(byName(report, 'we')).aks_version_supported).toBe('pass');
    expect(statuses(byName(report, 'elsewhere')).aks_version_supported).toBe('unknown');
  });

  test('exemptions turn a matching fail into exempt; an expired one has no effect', async () => {
    box.write('exemptions.json', [
      {
        ruleId: 'aks_local_accounts_disabled',
        scope: `/subscriptions/${SUB}/resourceGroups/RG1`,
        justification: 'break-glass account until the migration ends',
        expiresOn: '2027-02-01',
        author: 'platform@example.com',
        createdAt: '2026-11-01T00:00:00Z',
      },
      {
        ruleId: 'aks_kubernetes_rbac_enabled',
        scope: `/subscriptions/${SUB}`,
        justification: 'expired',
        expiresOn: '2026-11-01',
        author: 'platform@example.com',
      },
    ]);
    const report = await evaluateJson(
      exampleBody('aks/ManagedClustersList.2025-10-01.json'),
      '--exemptions',
      'exemptions.json',
    );
    expect(statuses(report.clusters[0])).toMatchObject({
      aks_local_accounts_disabled: 'exempt:high',
      aks_kubernetes_rbac_enabled: 'fail:critical',
    });
    expect(report.summary.status.exempt).toBe(1);
    expect(report.summary.failBySeverity.high).toBe(2);
  });

  test('thresholds come from the environment settings', async () => {
    box.env.AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS = '10';
    const report = await evaluateJson([listedCluster('c', compliant)]);
    // The image is 17 days old: a fail with a 10-day limit.
    expect(statuses(report.clusters[0]).aks_node_image_current).toBe('fail:medium');
  });
});

describe('evaluate exit codes and output', () => {
  test('--fail-on: 1 when a fail at or above the threshold remains, else 0', async () => {
    box.write('clusters.json', [
      listedCluster('c', (c) => {
        compliant(c);
        c.properties.aadProfile.enableAzureRBAC = false; // one low fail only
      }),
    ]);
    const base = ['evaluate', '--clusters', 'clusters.json', '--versions', 'versions.json', '--as-of', AS_OF];
    expect((await box.run(...base, '--fail-on', 'low')).code).toBe(1);
    expect((await box.run(...base, '--fail-on', 'medium')).code).toBe(0);
    box.write('clusters.json', exampleBody('aks/ManagedClustersList.2025-10-01.json'));
    expect((await box.run(...base, '--fail-on', 'critical')).code).toBe(1);
    expect((await box.run(...base)).code).toBe(0);
  });

  test('--output writes the file (creating folders) and prints one summary line', async () => {
    box.write('clusters.json', exampleBody('aks/ManagedClustersList.2025-10-01.json'));
    const run = await box.run(
      'evaluate',
      '--clusters',
      'clusters.json',
      '--versions',
      'versions.json',
      '--as-of',
      AS_OF,
      '--format',
      'csv',
      '--output',
      'out/deep/report.csv',
    );
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/^Wrote out\/deep\/report\.csv \(csv\): 1 cluster: 7 fail/);
    const csv = box.read('out/deep/report.csv');
    expect(csv.split('\n')[0]).toMatch(/^"clusterId","clusterName",/);
    expect(csv.trimEnd().split('\n')).toHaveLength(22);
  });

  test('table output fits 80 columns', async () => {
    box.write('clusters.json', exampleBody('aks/ManagedClustersList.2025-10-01.json'));
    const run = await box.run(
      'evaluate',
      '--clusters',
      'clusters.json',
      '--versions',
      'versions.json',
      '--as-of',
      AS_OF,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('clustername1');
    for (const line of run.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });

  test('every format escapes a hostile cluster name and tags', async () => {
    const hostile = listedCluster('evil', (c) => {
      c.name = '<script>alert(1)</script>';
      c.tags = { owner: `"=cmd|' /C calc'!A0"` };
    });
    box.write('clusters.json', [hostile]);
    const base = ['evaluate', '--clusters', 'clusters.json', '--versions', 'versions.json', '--as-of', AS_OF];
    const html = await box.run(...base, '--format', 'html');
    expect(html.stdout).not.toContain('<script>');
    expect(html.stdout).toContain('&lt;script&gt;');
    const md = await box.run(...base, '--format', 'md');
    expect(md.stdout).not.toContain('<script>');
    const csv = await box.run(...base, '--format', 'csv');
    expect(csv.stdout).not.toMatch(/(^|,)"?=/m);
    expect(csv.stdout).toContain(`owner=""=cmd|' /C calc'!A0""`);
  });
});

describe('evaluate bad input: one line on stderr, exit 2', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['missing --clusters', () => ['evaluate', '--as-of', AS_OF], /--clusters FILE is required/],
    ['unreadable file', () => ['evaluate', '--clusters', 'nope.json'], /nope\.json: cannot be read \(file not found\)/],
    ['a directory', () => ['evaluate', '--clusters', '.'], /\.: cannot be read/],
    [
      'invalid JSON',
      () => {
        box.write('bad.json', '{\n  "value": [\n    {"id": 1,}\n  ]\n}');
        return ['evaluate', '--clusters', 'bad.json'];
      },
      /bad\.json: is not valid JSON at line 3 column \d+/,
    ],
    [
      'truncated JSON',
      () => {
        box.write('cut.json', '{"value": [');
        return ['evaluate', '--clusters', 'cut.json'];
      },
      /cut\.json: is not valid JSON at end of file/,
    ],
    [
      'wrong shape',
      () => {
        box.write('shape.json', { clusters: [] });
        return ['evaluate', '--clusters', 'shape.json'];
      },
      /shape\.json: is an object of the wrong shape: expected/,
    ],
    [
      'a bad row names its index',
      () => {
        box.write('rows.json', { value: [listedCluster('ok'), { id: '/subscriptions/x/resourceGroups/y' }] });
        return ['evaluate', '--clusters', 'rows.json'];
      },
      /rows\.json: value\[1\]: "id" is not a managed cluster resource ID/,
    ],
    [
      'versions of the wrong shape',
      () => {
        box.write('clusters.json', [listedCluster('c')]);
        box.write('v.json', { value: [] });
        return ['evaluate', '--clusters', 'clusters.json', '--versions', 'v.json'];
      },
      /v\.json: "value" is not a listKubernetesVersions response/,
    ],
    [
      'a bad exemption names the field',
      () => {
        box.write('clusters.json', [listedCluster('c')]);
        box.write('ex.json', [
          {
            ruleId: 'no_such_rule',
            scope: '/subscriptions/x',
            justification: 'j',
            expiresOn: '2027-01-01',
            author: 'a',
          },
        ]);
        return ['evaluate', '--clusters', 'clusters.json', '--exemptions', 'ex.json'];
      },
      /ex\.json: exemption \[0\]: ruleId/,
    ],
    ['unknown format', () => ['evaluate', '--clusters', 'c.json', '--format', 'xml'], /--format "xml" is not one of/],
    ['unknown severity', () => ['evaluate', '--clusters', 'c.json', '--fail-on', 'urgent'], /--fail-on "urgent"/],
    [
      'invalid date',
      () => ['evaluate', '--clusters', 'c.json', '--as-of', '2026-02-30'],
      /--as-of "2026-02-30" is not a calendar date/,
    ],
    ['date in another form', () => ['evaluate', '--clusters', 'c.json', '--as-of', '27/11/2026'], /--as-of/],
    ['unknown flag', () => ['evaluate', '--clusters', 'c.json', '--colour'], /unknown option --colour/],
    [
      'repeated single flag',
      () => ['evaluate', '--clusters', 'a.json', '--clusters', 'b.json'],
      /--clusters is given more than once/,
    ],
    ['missing value', () => ['evaluate', '--clusters'], /--clusters needs a value/],
    ['stray argument', () => ['evaluate', 'clusters.json'], /unexpected argument "clusters\.json"/],
    [
      'bad threshold setting',
      () => {
        box.env.AKS_COMPLIANCE_EOL_WARNING_DAYS = 'soon';
        box.write('clusters.json', [listedCluster('c')]);
        return ['evaluate', '--clusters', 'clusters.json'];
      },
      /AKS_COMPLIANCE_EOL_WARNING_DAYS must be a whole number/,
    ],
    [
      'bad calendar setting',
      () => {
        box.env.AKS_COMPLIANCE_SUPPORT_CALENDAR = `${box.dir}/missing-calendar.json`;
        box.write('clusters.json', [listedCluster('c')]);
        return ['evaluate', '--clusters', 'clusters.json'];
      },
      /missing-calendar\.json/,
    ],
  ];
  test.each(cases)('%s', async (_name, argv, expected) => {
    const run = await box.run(...argv());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneErrorLine(run)).toMatch(expected);
  });
});

test('without --format, the format follows the --output extension', async () => {
  const b = new CliSandbox();
  try {
    b.write('clusters.json', exampleBody('aks/ManagedClustersList.2025-10-01.json'));
    const run = await b.run('evaluate', '--clusters', 'clusters.json', '--output', 'r.json');
    expect(run.code).toBe(0);
    expect(validateReport(JSON.parse(b.read('r.json')))).toEqual([]);
    await b.run('evaluate', '--clusters', 'clusters.json', '--output', 'r.htm');
    expect(b.read('r.htm')).toMatch(/^<!DOCTYPE html>/);
    await b.run('evaluate', '--clusters', 'clusters.json', '--output', 'r.txt');
    expect(b.read('r.txt')).toMatch(/^AKS compliance/);
  } finally {
    b.remove();
  }
});

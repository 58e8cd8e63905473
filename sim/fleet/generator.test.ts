import {
  generateFleet,
  mutateFleet,
  changeClusters,
  changeModel,
  truthFor,
  DEFAULT_AS_OF,
  type GeneratedFleet,
} from './generator';
import { CHANGED_CLUSTER_FIELDS, CHANGED_CLUSTER_PROPERTIES } from './build';
import { managedClusterExamples } from './fixtures';
import {
  ALL_RULE_IDS,
  RULE_IDS,
  SHIPPED_CALENDAR,
  AKS_ROLES,
  calendarEndDate,
  isCompliant,
  type GroundTruth,
} from './truth';
import { OFFICIAL_MINORS, PLATFORM_MINOR, PREVIEW_MINOR } from './catalog';

const truthJson = (t: GroundTruth) => JSON.stringify([...t.entries()]);

/** Every status/severity combination the contract defines, per rule. */
const CONTRACT_COMBINATIONS: Record<string, string[]> = {
  aks_version_supported: ['pass', 'fail/critical', 'fail/high', 'fail/medium', 'unknown'],
  aks_version_patch_current: ['pass', 'fail/medium', 'not_applicable'],
  aks_version_end_of_support_horizon: ['pass', 'fail/medium', 'unknown'],
  aks_node_pools_match_control_plane: ['pass', 'fail/medium'],
  aks_auto_upgrade_enabled: ['pass', 'fail/medium'],
  aks_node_os_upgrade_managed: ['pass', 'fail/medium', 'fail/high'],
  aks_node_image_current: ['pass', 'fail/medium', 'fail/high', 'unknown'],
  aks_entra_id_enabled: ['pass', 'fail/high'],
  aks_entra_id_managed: ['pass', 'fail/medium', 'not_applicable'],
  aks_local_accounts_disabled: ['pass', 'fail/high'],
  aks_kubernetes_rbac_enabled: ['pass', 'fail/critical', 'unknown'],
  aks_azure_rbac_enabled: ['pass', 'fail/low', 'not_applicable'],
  aks_api_server_access_restricted: ['pass', 'fail/high'],
  aks_rbac_bindings_use_groups: ['pass', 'fail/medium'],
  aks_admin_groups_valid: ['pass', 'fail/high', 'fail/medium', 'fail/low', 'not_applicable'],
  aks_rbac_no_orphaned_assignments: ['pass', 'fail/low'],
  aks_rbac_no_guest_admins: ['pass', 'fail/high'],
};

function combinations(truth: GroundTruth): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const record of truth.values()) {
    for (const [rule, e] of Object.entries(record)) {
      if (!seen.has(rule)) seen.set(rule, new Set());
      seen.get(rule)!.add(e.severity ? `${e.status}/${e.severity}` : e.status);
    }
  }
  return seen;
}

let medium: GeneratedFleet;
beforeAll(() => {
  medium = generateFleet({ seed: 2500, clusters: 2500, regionsWithoutCatalog: 1 });
});

describe('generateFleet', () => {
  test('the same seed gives identical JSON; another seed does not', () => {
    const a = generateFleet({ seed: 11, clusters: 120 });
    const b = generateFleet({ seed: 11, clusters: 120 });
    const c = generateFleet({ seed: 12, clusters: 120 });
    expect(JSON.stringify(a.fleet)).toBe(JSON.stringify(b.fleet));
    expect(truthJson(a.truth)).toBe(truthJson(b.truth));
    expect(JSON.stringify(a.fleet)).not.toBe(JSON.stringify(c.fleet));
  });

  test('counts are honoured', () => {
    const g = generateFleet({
      seed: 5,
      clusters: 400,
      subscriptions: 30,
      regions: 7,
      poolsPerCluster: 3,
      roleAssignments: 3000,
      principals: 900,
      adminGroups: 120,
      forbiddenSubscriptions: 2,
    });
    const { fleet, stats } = g;
    expect(fleet.clusters).toHaveLength(400);
    expect(new Set(fleet.clusters.map((c) => c.id.toLowerCase())).size).toBe(400);
    expect(fleet.subscriptions).toHaveLength(30);
    expect(new Set(fleet.clusters.map((c) => c.location)).size).toBe(7);
    expect(Object.keys(fleet.kubernetesVersions)).toHaveLength(7);
    for (const c of fleet.clusters) expect(c.properties.agentPoolProfiles).toHaveLength(3);
    expect(fleet.roleAssignments).toHaveLength(3000);
    const referenced = new Set(fleet.roleAssignments.map((a) => a.properties.principalId));
    const adminIds = new Set(
      fleet.clusters.flatMap((c) => {
        const ids = (c.properties.aadProfile as { adminGroupObjectIDs?: string[] | null } | undefined)
          ?.adminGroupObjectIDs;
        return Array.isArray(ids) ? ids : [];
      }),
    );
    expect(adminIds.size).toBe(120);
    expect(new Set([...referenced, ...adminIds]).size).toBe(900);
    expect(stats.principals).toBe(900);
    const directoryIds = new Set(fleet.directory.map((d) => d.id));
    expect(directoryIds.size).toBe(fleet.directory.length);
    const deletedReferenced = [...referenced, ...adminIds].filter((id) => !directoryIds.has(id));
    expect(deletedReferenced.length).toBeGreaterThan(0);
    expect(fleet.directory.length + new Set(deletedReferenced).size).toBe(900);
    expect(stats.relevantAssignments).toBe(1000);
    expect(fleet.forbiddenSubscriptions).toHaveLength(2);
    expect(stats.compliantClusters).toBe(120);
  });

  test('every cluster keeps the template fields it does not change', () => {
    const templates = new Map(managedClusterExamples().map((e) => [e.file, e.body]));
    const { fleet, model } = medium;
    const changedTop = new Set<string>(CHANGED_CLUSTER_FIELDS);
    const changedProps = new Set<string>(CHANGED_CLUSTER_PROPERTIES);
    const used = new Set<string>();
    fleet.clusters.forEach((cluster, i) => {
      const template = templates.get(model.clusters[i].template)!;
      used.add(model.clusters[i].template);
      const body = cluster as unknown as Record<string, unknown>;
      for (const key of Object.keys(template)) {
        if (key === 'properties' || changedTop.has(key)) continue;
        expect(body[key]).toEqual(template[key]);
      }
      const tp = template.properties as Record<string, unknown>;
      for (const key of Object.keys(tp)) {
        if (changedProps.has(key)) continue;
        expect(cluster.properties[key]).toEqual(tp[key]);
      }
      const templatePool = (tp.agentPoolProfiles as Record<string, unknown>[])[0];
      for (const pool of cluster.properties.agentPoolProfiles as Record<string, unknown>[]) {
        for (const key of ['type', 'maxPods', 'availabilityZones', 'enableNodePublicIP', 'upgradeSettings', 'eTag']) {
          expect(pool[key]).toEqual(templatePool[key]);
        }
      }
    });
    expect(used.size).toBe(templates.size);
  });

  test('the truth covers the 17 Azure-side rules and the 4 in-cluster rules for every cluster', () => {
    const { fleet, truth } = medium;
    expect(RULE_IDS).toHaveLength(17);
    expect([...truth.keys()].sort()).toEqual(fleet.clusters.map((c) => c.id.toLowerCase()).sort());
    for (const record of truth.values()) {
      expect(Object.keys(record).sort()).toEqual([...ALL_RULE_IDS].sort());
      for (const e of Object.values(record)) expect(e.status === 'fail').toBe(e.severity !== undefined);
    }
  });

  test('a 2,500-cluster fleet exercises every status/severity combination of the contract', () => {
    const seen = combinations(medium.truth);
    for (const [rule, combos] of Object.entries(CONTRACT_COMBINATIONS)) {
      for (const combo of combos)
        expect(`${rule} ${seen.get(rule)?.has(combo) ? combo : 'missing ' + combo}`).toBe(`${rule} ${combo}`);
    }
    // Without an unreadable region, only the catalog-unknown outcomes disappear.
    const plain = combinations(generateFleet({ seed: 2500, clusters: 2500 }).truth);
    for (const [rule, combos] of Object.entries(CONTRACT_COMBINATIONS)) {
      for (const combo of combos) {
        if (rule === 'aks_version_supported' && combo === 'unknown') continue;
        expect(`${rule} ${plain.get(rule)?.has(combo) ? combo : 'missing ' + combo}`).toBe(`${rule} ${combo}`);
      }
    }
  });

  test('the compliant share is exact and every other cluster has a finding', () => {
    const compliant = [...medium.truth.values()].filter(isCompliant).length;
    expect(compliant).toBe(750);
    expect(medium.stats.compliantClusters).toBe(750);
  });

  test('region catalogs follow the shipped calendar as of 2026-11-27', () => {
    const asOf = DEFAULT_AS_OF.getTime();
    for (const [location, catalog] of Object.entries(medium.fleet.kubernetesVersions)) {
      const official = catalog.values
        .filter((v) => !v.isPreview && v.capabilities?.supportPlan?.includes('KubernetesOfficial'))
        .map((v) => v.version);
      expect(`${location} ${official.join(',')}`).toBe(`${location} ${OFFICIAL_MINORS.join(',')}`);
      for (const v of catalog.values) {
        const cal = SHIPPED_CALENDAR[v.version];
        expect(cal).toBeDefined();
        if (v.capabilities?.supportPlan?.includes('KubernetesOfficial') && !v.isPreview) {
          expect(calendarEndDate(cal.endOfSupport).getTime()).toBeGreaterThanOrEqual(asOf);
        }
        if (v.capabilities?.supportPlan?.includes('AKSLongTermSupport')) {
          expect(calendarEndDate(cal.ltsEndOfSupport!).getTime()).toBeGreaterThanOrEqual(asOf);
        }
        if (v.version === PREVIEW_MINOR) expect(v.isPreview).toBe(true);
        if (v.version === PLATFORM_MINOR) expect(v.capabilities?.supportPlan).toEqual(['AKSLongTermSupport']);
        expect(Object.keys(v.patchVersions ?? {}).length).toBeGreaterThan(0);
      }
    }
    const newest = (loc: string) => Object.keys(medium.fleet.kubernetesVersions[loc].values[5].patchVersions!).pop();
    expect(newest('westeurope')).toBe('1.36.2');
    expect(newest('westus2')).toBe('1.36.1'); // a lagging region
  });

  test('the truth agrees with what the wire data says (config, node images, assignments)', () => {
    const { fleet, truth } = medium;
    const asOf = DEFAULT_AS_OF.getTime();
    const present = new Map(fleet.directory.map((d) => [d.id, d]));
    const chains = new Map(
      fleet.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s.managementGroupAncestorsChain]),
    );
    const byScope = new Map<string, typeof fleet.roleAssignments>();
    for (const a of fleet.roleAssignments) {
      const guid = a.properties.roleDefinitionId.split('/').pop()!.toLowerCase();
      if (!AKS_ROLES[guid]) continue;
      const key = a.properties.scope.toLowerCase();
      byScope.set(key, [...(byScope.get(key) ?? []), a]);
    }
    for (const c of fleet.clusters) {
      const p = c.properties as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const t = truth.get(c.id.toLowerCase())!;
      const status = (rule: string) => t[rule].status;
      expect(status('aks_local_accounts_disabled')).toBe(p.disableLocalAccounts === true ? 'pass' : 'fail');
      expect(status('aks_entra_id_enabled')).toBe(p.aadProfile ? 'pass' : 'fail');
      expect(status('aks_kubernetes_rbac_enabled')).toBe(
        p.enableRBAC === true ? 'pass' : p.enableRBAC === false ? 'fail' : 'unknown',
      );
      const api = p.apiServerAccessProfile ?? {};
      const ranges: string[] | undefined = api.authorizedIPRanges;
      const restricted =
        api.enablePrivateCluster === true || (!!ranges && ranges.length > 0 && !ranges.includes('0.0.0.0/0'));
      expect(status('aks_api_server_access_restricted')).toBe(restricted ? 'pass' : 'fail');
      // Node images, by the contract's patterns.
      let oldest = -1;
      let unknown = false;
      for (const pool of p.agentPoolProfiles) {
        const v: string | undefined = pool.nodeImageVersion;
        const linux = v && /-(\d{4})(\d{2})\.(\d{2})\.\d+$/.exec(v);
        const windows = v && /^AKSWindows-.*\.(\d{2})(\d{2})(\d{2})$/.exec(v);
        const date = linux
          ? Date.UTC(+linux[1], +linux[2] - 1, +linux[3])
          : windows
            ? Date.UTC(2000 + +windows[1], +windows[2] - 1, +windows[3])
            : undefined;
        if (date === undefined) unknown = true;
        else oldest = Math.max(oldest, (asOf - date) / 86_400_000);
      }
      expect(status('aks_node_image_current')).toBe(oldest > 30 ? 'fail' : unknown ? 'unknown' : 'pass');
      // Assignments covering the cluster.
      const sub = c.id.split('/')[2].toLowerCase();
      const rg = c.id.split('/')[4].toLowerCase();
      const keys = [
        c.id.toLowerCase(),
        `/subscriptions/${sub}/resourcegroups/${rg}`,
        `/subscriptions/${sub}`,
        ...chains.get(sub)!.map((m) => `/providers/microsoft.management/managementgroups/${m.name.toLowerCase()}`),
      ];
      const covering = keys.flatMap((k) => byScope.get(k) ?? []);
      const anyUser = covering.some((a) => a.properties.principalType === 'User');
      const orphan = covering.some((a) => !present.has(a.properties.principalId));
      const guestAdmin = covering.some((a) => {
        const d = present.get(a.properties.principalId);
        const guid = a.properties.roleDefinitionId.split('/').pop()!;
        return d?.userType === 'Guest' && AKS_ROLES[guid].admin;
      });
      expect(status('aks_rbac_bindings_use_groups')).toBe(anyUser ? 'fail' : 'pass');
      expect(status('aks_rbac_no_orphaned_assignments')).toBe(orphan ? 'fail' : 'pass');
      expect(status('aks_rbac_no_guest_admins')).toBe(guestAdmin ? 'fail' : 'pass');
    }
  });

  test('irrelevant assignments exist: other roles at covering scopes and AKS roles on other resources', () => {
    const scopes = medium.fleet.roleAssignments.map((a) => a.properties.scope);
    expect(scopes.some((s) => /\/providers\/Microsoft\.Storage\/storageAccounts\//.test(s))).toBe(true);
    expect(scopes.some((s) => /^\/providers\/Microsoft\.Management\/managementGroups\//.test(s))).toBe(true);
    expect(scopes.some((s) => /^\/providers\/microsoft\.management\/managementgroups\//.test(s))).toBe(true);
    expect(scopes.some((s) => /\/resourcegroups\//.test(s))).toBe(true);
    const forms = medium.fleet.roleAssignments.map((a) => a.properties.roleDefinitionId);
    expect(forms.some((f) => f.startsWith('/subscriptions/'))).toBe(true);
    expect(forms.some((f) => f.startsWith('/providers/'))).toBe(true);
    expect(medium.stats.relevantAssignments).toBeLessThan(medium.fleet.roleAssignments.length);
  });

  test('mutateFleet changes exactly N clusters, each in at least one rule, and leaves the input alone', () => {
    const g = generateFleet({ seed: 3, clusters: 300 });
    const before = JSON.stringify(g.fleet);
    const beforeTruth = truthJson(g.truth);
    const m = mutateFleet(g, 10, 99);
    expect(m.changedIds).toHaveLength(10);
    expect(JSON.stringify(g.fleet)).toBe(before);
    expect(truthJson(g.truth)).toBe(beforeTruth);
    const changed = new Set(m.changedIds.map((id) => id.toLowerCase()));
    let differing = 0;
    for (const [id, record] of g.truth) {
      const same = JSON.stringify(record) === JSON.stringify(m.truth.get(id));
      if (!same) differing++;
      expect(`${id} ${same}`).toBe(`${id} ${!changed.has(id)}`);
    }
    expect(differing).toBe(10);
    expect(JSON.stringify(mutateFleet(g, 10, 99).fleet)).toBe(JSON.stringify(m.fleet));
  });

  test('changeClusters rebuilds the named clusters and rejects unknown IDs', () => {
    const g = generateFleet({ seed: 4, clusters: 50 });
    const id = g.fleet.clusters[7].id;
    const changed = changeClusters(g, [id.toUpperCase()], (c) => {
      c.enableRBAC = false;
    });
    expect(changed.fleet.clusters[7].properties.enableRBAC).toBe(false);
    expect(changed.truth.get(id.toLowerCase())!.aks_kubernetes_rbac_enabled).toEqual({
      status: 'fail',
      severity: 'critical',
    });
    expect(changed.fleet.clusters[6]).toBe(g.fleet.clusters[6]);
    expect(() => changeClusters(g, ['/subscriptions/x/resourceGroups/y/providers/a/b/c'], () => {})).toThrow(
      /no such cluster/,
    );
  });

  test('changeModel rebuilds wire data and truth after an access change', () => {
    const g = generateFleet({ seed: 4, clusters: 50 });
    const target = g.model.clusters.find(
      (c) => g.truth.get(clusterKeyOf(g, c.name))!.aks_rbac_no_guest_admins.status === 'pass',
    )!;
    const guest = g.model.principals.find((p) => p.kind === 'user' && p.guest && !p.deleted)!;
    const changed = changeModel(g, (m) => {
      m.assignments.push({
        name: '00000000-0000-4000-8000-0000000000aa',
        roleGuid: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
        roleForm: 'tenant',
        principalId: guest.id,
        principalType: 'User',
        scope: `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`,
      });
    });
    expect(changed.fleet.roleAssignments).toHaveLength(g.fleet.roleAssignments.length + 1);
    expect(g.model.assignments).toHaveLength(g.fleet.roleAssignments.length);
    expect(changed.truth.get(clusterKeyOf(g, target.name))!.aks_rbac_no_guest_admins).toEqual({
      status: 'fail',
      severity: 'high',
    });
  });

  test('tiny and empty fleets are generated without error', () => {
    for (const clusters of [0, 1, 3]) {
      const g = generateFleet({ seed: 1, clusters });
      expect(g.fleet.clusters).toHaveLength(clusters);
      expect(g.truth.size).toBe(clusters);
    }
  });

  test('truthFor moves node image ages and the end-of-support horizon with the clock', () => {
    const later = truthFor(medium, new Date('2027-03-01T00:00:00Z'));
    const count = (t: GroundTruth, rule: string) => [...t.values()].filter((r) => r[rule].status === 'fail').length;
    expect(count(later, 'aks_node_image_current')).toBeGreaterThan(count(medium.truth, 'aks_node_image_current'));
    expect(count(later, 'aks_version_end_of_support_horizon')).toBeGreaterThan(
      count(medium.truth, 'aks_version_end_of_support_horizon'),
    );
  });

  test('a bench-size fleet (10,000 clusters) generates quickly', () => {
    // CPU time is what the generator costs; wall time also counts other processes sharing the machine.
    const start = Date.now();
    const cpuStart = process.cpuUsage();
    const g = generateFleet({
      seed: 9,
      clusters: 10_000,
      subscriptions: 500,
      regions: 40,
      poolsPerCluster: 3,
      roleAssignments: 60_000,
      principals: 15_000,
      adminGroups: 2_000,
    });
    const ms = Date.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    console.log(`10,000-cluster fleet generated in ${ms} ms wall, ${cpuMs} ms CPU: ${JSON.stringify(g.stats)}`);
    expect(g.stats).toMatchObject({
      clusters: 10_000,
      subscriptions: 500,
      regions: 40,
      pools: 30_000,
      roleAssignments: 60_000,
      principals: 15_000,
      adminGroups: 2_000,
    });
    expect(g.stats.relevantAssignments).toBe(20_000);
  });
});

function clusterKeyOf(g: GeneratedFleet, name: string): string {
  return g.fleet.clusters.find((c) => c.name === name)!.id.toLowerCase();
}

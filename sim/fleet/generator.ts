// Deterministic fleet generator: a seed and a few counts give a whole simulated tenant (clusters built from the
// verbatim example bodies, region version lists, management groups, role assignments, the directory) plus the ground
// truth every rule must reach on it (see truth.ts for the semantics it encodes).
import type { Fleet } from './types';
import type {
  AadSpec,
  AssignmentSpec,
  ClusterSpec,
  FleetModel,
  ImageSpec,
  PoolSpec,
  PrincipalSpec,
  SubscriptionSpec,
} from './model';
import { Rng } from './random';
import { assignKubeSpecs } from './inCluster';
import { assignEvents } from './events';
import { buildCatalog, catalogPatches, regionVariant, RETIRED_PATCHES, LTS_MINORS, OFFICIAL_MINORS } from './catalog';
import { buildCluster, buildFleet, clusterId, templateFiles } from './build';
import {
  AKS_ROLES,
  computeTruth,
  clusterKey,
  clusterTruth,
  compareVersions,
  configTruth,
  isCompliant,
  minorOf,
  truthContext,
  versionTruth,
  type GroundTruth,
} from './truth';

export type { GroundTruth, TruthEntry } from './truth';
export { RULE_IDS, computeTruth } from './truth';

/** The date the shipped catalogs describe. */
export const DEFAULT_AS_OF = new Date('2026-11-27T00:00:00Z');

/** Ways a non-compliant cluster can be non-compliant; each is drawn independently with its violation rate. */
export const DIMENSIONS = [
  'version',
  'pools',
  'autoUpgrade',
  'nodeOs',
  'nodeImage',
  'entra',
  'adminGroups',
  'localAccounts',
  'kubernetesRbac',
  'apiServer',
  'userBindings',
  'orphans',
  'guestAdmins',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface FleetOptions {
  seed: number;
  /** Default 2026-11-27T00:00:00Z. Node image dates are chosen relative to it; the truth holds for it. */
  asOf?: Date;
  clusters: number;
  /** Default ceil(clusters / 20). Subscriptions beyond the clusters stay empty. */
  subscriptions?: number;
  /** Default min(8, clusters); at most REGIONS.length. */
  regions?: number;
  /** Default 2. */
  poolsPerCluster?: number;
  /** Total role assignments, irrelevant ones included (non-AKS roles; AKS roles on storage accounts etc.). Default clusters * 6. */
  roleAssignments?: number;
  /** Share of roleAssignments that are AKS-access roles covering clusters. Default 1/3. */
  relevantAssignmentShare?: number;
  /** Distinct principal IDs referenced (assignments and admin group lists, deleted ones included). Default ceil(clusters * 1.5). */
  principals?: number;
  /** Distinct IDs in adminGroupObjectIDs (included in principals). Default ceil(clusters / 5). */
  adminGroups?: number;
  /** Shares of the principals that are not admin group IDs. Defaults: guests 0.05, deleted 0.05, member users 0.3. */
  guestShare?: number;
  deletedShare?: number;
  userShare?: number;
  /** Share of clusters that pass (or are not_applicable on) every rule. Default 0.3. */
  compliantShare?: number;
  /** Chance of each violation on a non-compliant cluster (one rate or per dimension). Default 0.3. */
  violationRate?: number | Partial<Record<Dimension, number>>;
  /** The last N regions answer 404 for their version list (version rules unknown there). Default 0. */
  regionsWithoutCatalog?: number;
  /** N subscriptions (holding clusters) the caller may not read (`fleet.forbiddenSubscriptions`). Default 0. */
  forbiddenSubscriptions?: number;
}

export interface FleetStats {
  clusters: number;
  subscriptions: number;
  regions: number;
  pools: number;
  roleAssignments: number;
  /** AKS-access role assignments covering at least one cluster (what the product's query returns). */
  relevantAssignments: number;
  /** Distinct principal IDs referenced by any assignment or admin group list. */
  principals: number;
  /** Distinct principal IDs the scan must resolve: those of relevant assignments plus admin group IDs. */
  resolvablePrincipals: number;
  directoryObjects: number;
  adminGroups: number;
  compliantClusters: number;
  /** AKS notification rows (containerserviceeventresources). */
  clusterEvents: number;
}

export interface GeneratedFleet {
  fleet: Fleet;
  truth: GroundTruth;
  /** The choices behind fleet and truth (for changeClusters / mutateFleet / truthFor). */
  model: FleetModel;
  stats: FleetStats;
}

export const REGIONS = [
  'westeurope', 'northeurope', 'eastus', 'eastus2', 'westus2', 'uksouth', 'swedencentral', 'germanywestcentral',
  'francecentral', 'centralus', 'southeastasia', 'australiaeast', 'japaneast', 'canadacentral', 'westus3',
  'southcentralus', 'northcentralus', 'ukwest', 'switzerlandnorth', 'norwayeast', 'polandcentral', 'italynorth',
  'spaincentral', 'eastasia', 'koreacentral', 'centralindia', 'southindia', 'brazilsouth', 'southafricanorth',
  'uaenorth', 'qatarcentral', 'israelcentral', 'mexicocentral', 'newzealandnorth', 'australiasoutheast',
  'japanwest', 'canadaeast', 'westcentralus', 'westus', 'francesouth', 'germanynorth', 'switzerlandwest',
  'norwaywest', 'swedensouth', 'uaecentral', 'australiacentral', 'koreasouth', 'westindia',
]; // prettier-ignore

const REGION_SHORT: Record<string, string> = {
  westeurope: 'weu', northeurope: 'neu', eastus: 'eus', eastus2: 'eus2', westus2: 'wus2', uksouth: 'uks',
  swedencentral: 'sec', germanywestcentral: 'gwc', francecentral: 'frc', centralus: 'cus', southeastasia: 'sea',
}; // prettier-ignore

const TEAMS = [
  'payments', 'checkout', 'identity', 'search', 'catalog', 'ml', 'data', 'web', 'api', 'platform', 'billing',
  'fraud', 'ledger', 'mobile', 'edge', 'analytics', 'media', 'notify', 'orders', 'risk',
]; // prettier-ignore
const ENVS = ['prod', 'stg', 'dev', 'test'];
const FIRST = [
  'Ada', 'Ben', 'Chen', 'Dana', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kara', 'Liam', 'Mei', 'Nora',
  'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe',
]; // prettier-ignore
const LAST = [
  'Adams', 'Berg', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kowalski',
  'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Varga', 'Weber', 'Young',
]; // prettier-ignore

/** Built-in roles that are not AKS-access roles (irrelevant to the RBAC rules). */
const OTHER_ROLES = [
  'acdd72a7-3385-48ef-bd42-f606fba81ae7', // Reader
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe', // Storage Blob Data Contributor
  '4633458b-17de-408a-b874-0445c86b69e6', // Key Vault Secrets User
  '43d0d8ad-25c7-4714-9337-8ba259a9fe05', // Monitoring Reader
  '4d97b98b-1d4f-4787-a291-c67834d212e7', // Network Contributor
  '7f951dda-4ed3-4680-a7ca-43fe172d538d', // AcrPull
];
const AKS_ROLE_GUIDS = Object.keys(AKS_ROLES);
const ADMIN_ROLE_GUIDS = AKS_ROLE_GUIDS.filter((g) => AKS_ROLES[g].admin);
const NON_ADMIN_ROLE_GUIDS = AKS_ROLE_GUIDS.filter((g) => !AKS_ROLES[g].admin);

const TEMPLATE_WEIGHTS: Record<string, number> = {
  'aks/ManagedClustersGet.2025-10-01.json': 20,
  'aks/ManagedClustersCreate_UpdateWithEnableAzureRBAC.2025-10-01.json': 20,
  'aks/ManagedClustersCreate_Premium.2025-10-01.json': 8,
  'aks/ManagedClustersCreate_PrivateClusterFQDNSubdomain.2025-10-01.json': 14,
  'aks/ManagedClustersCreate_SecurityProfile.2025-10-01.json': 12,
  'aks/ManagedClustersCreate_DisableRunCommand.2025-10-01.json': 12,
  'aks/ManagedClustersCreate_UpdateWindowsGmsa.2025-10-01.json': 14,
};
export const PREMIUM_TEMPLATE = 'aks/ManagedClustersCreate_Premium.2025-10-01.json';
export const UNRECOGNISED_IMAGES = ['AKSUbuntu:1604:2020.03.11', 'AKSUbuntu-2204gen2containerd-latest'];
const LINUX_FAMILIES: [string, number][] = [
  ['AKSUbuntu-2204gen2containerd', 55],
  ['AKSUbuntu-2404gen2containerd', 15],
  ['AKSAzureLinux-V3gen2', 30],
];
const WINDOWS_FAMILIES: [string, string][] = [
  ['AKSWindows-2022-containerd', '20348'],
  ['AKSWindows-2019-containerd', '17763'],
];

const DAY_MS = 86_400_000;

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC date `days` before asOf's date. */
export function daysBefore(asOf: Date, days: number): string {
  const midnight = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  return isoDay(new Date(midnight - days * DAY_MS));
}

export function linuxImage(rng: Rng, asOf: Date, ageDays: number): ImageSpec {
  return { kind: 'linux', family: rng.weighted(LINUX_FAMILIES), date: daysBefore(asOf, ageDays), rev: rng.int(3) };
}

export function windowsImage(rng: Rng, asOf: Date, ageDays: number): ImageSpec {
  const [family, base] = rng.pick(WINDOWS_FAMILIES);
  return { kind: 'windows', family, build: `${base}.${rng.between(2200, 4400)}`, date: daysBefore(asOf, ageDays) };
}

function rate(options: FleetOptions, dim: Dimension): number {
  const r = options.violationRate;
  if (r === undefined) return 0.3;
  if (typeof r === 'number') return r;
  return r[dim] ?? 0.3;
}

interface Placement {
  sub: SubscriptionSpec;
  resourceGroup: string;
  location: string;
  team: string;
  env: string;
  index: number;
}

type VersionChoice = Pick<ClusterSpec, 'version' | 'tier' | 'supportPlan'>;

class FleetBuilder {
  readonly rng: Rng;
  readonly asOf: Date;
  readonly model: FleetModel;

  constructor(readonly options: FleetOptions) {
    this.rng = new Rng(options.seed);
    this.asOf = options.asOf ?? DEFAULT_AS_OF;
    this.model = {
      asOf: this.asOf,
      tenantId: this.rng.guid(),
      subscriptions: [],
      clusters: [],
      catalogs: {},
      principals: [],
      assignments: [],
      forbiddenSubscriptions: [],
    };
  }

  // ---- tenant layout ----------------------------------------------------------------------------------------------

  managementGroups() {
    const root = { name: this.model.tenantId, displayName: 'Tenant Root Group' };
    const contoso = { name: 'mg-contoso', displayName: 'Contoso' };
    const lz = { name: 'mg-landingzones', displayName: 'Landing Zones' };
    return {
      platform: [{ name: 'mg-platform', displayName: 'Platform' }, contoso, root],
      corp: [{ name: 'mg-corp', displayName: 'Corp' }, lz, contoso, root],
      online: [{ name: 'mg-online', displayName: 'Online' }, lz, contoso, root],
      sandbox: [{ name: 'mg-sandbox', displayName: 'Sandbox' }, contoso, root],
      root: [root],
    };
  }

  subscriptions(count: number): void {
    const mgs = this.managementGroups();
    const kinds: [keyof typeof mgs, number][] = [
      ['corp', 40],
      ['online', 30],
      ['platform', 10],
      ['sandbox', 12],
      ['root', 8],
    ];
    for (let i = 0; i < count; i++) {
      const kind = i < kinds.length ? kinds[i][0] : this.rng.weighted(kinds);
      const team = this.rng.pick(TEAMS);
      const env = kind === 'sandbox' ? 'sandbox' : this.rng.pick(ENVS);
      this.model.subscriptions.push({
        subscriptionId: this.rng.guid(),
        displayName: `sub-${team}-${env}-${String(i + 1).padStart(3, '0')}`,
        chain: mgs[kind].map((m) => ({ ...m })),
      });
    }
  }

  regions(count: number, withoutCatalog: number): string[] {
    const regions = REGIONS.slice(0, Math.max(1, Math.min(count, REGIONS.length)));
    regions.forEach((region, i) => {
      this.model.catalogs[region] = i >= regions.length - withoutCatalog ? null : buildCatalog(regionVariant(i));
    });
    return regions;
  }

  isSandbox(sub: SubscriptionSpec): boolean {
    return sub.chain.some((m) => m.name === 'mg-sandbox');
  }

  placements(count: number, regions: string[]): Placement[] {
    const subs = this.model.subscriptions;
    const rgs = new Map<string, string[]>();
    const regionWeights = regions.map((r, i) => [r, 1 / (1 + i * 0.15)] as const);
    const out: Placement[] = [];
    for (let i = 0; i < count; i++) {
      const sub = i < subs.length ? subs[i] : subs[this.rng.int(subs.length)];
      const location = i < regions.length ? regions[i] : this.rng.weighted(regionWeights);
      let groups = rgs.get(sub.subscriptionId);
      if (!groups) {
        const [, team, env] = sub.displayName.split('-');
        groups = Array.from({ length: 1 + this.rng.int(4) }, (_, k) => {
          const name = `rg-${team}-${env}-aks-${k + 1}`;
          return this.rng.chance(0.15) ? name.toUpperCase() : name;
        });
        rgs.set(sub.subscriptionId, groups);
      }
      const [, team, env] = sub.displayName.split('-');
      out.push({ sub, resourceGroup: this.rng.pick(groups), location, team, env, index: i });
    }
    return out;
  }

  // ---- cluster configuration -------------------------------------------------------------------------------------

  versionPasses(choice: VersionChoice, location: string): boolean {
    const probe = { ...choice, pools: [] } as unknown as ClusterSpec;
    const t = versionTruth(probe, this.model.catalogs[location], this.asOf);
    return Object.values(t).every((e) => e.status === 'pass');
  }

  private readonly cleanChoices = new Map<string, [VersionChoice, number][]>();

  cleanVersion(location: string): VersionChoice {
    let passing = this.cleanChoices.get(location);
    if (!passing) this.cleanChoices.set(location, (passing = this.cleanCandidates(location)));
    if (passing.length === 0) return { version: '1.35.4', tier: 'Standard', supportPlan: 'KubernetesOfficial' };
    return { ...this.rng.weighted(passing) };
  }

  /** Version choices that pass all three version rules in this region on the as-of date. */
  cleanCandidates(location: string): [VersionChoice, number][] {
    const catalog = this.model.catalogs[location];
    const candidates: [VersionChoice, number][] = [];
    for (const minor of LTS_MINORS) {
      const newest = catalogPatches(catalog, minor).pop();
      if (!newest) continue;
      const official: VersionChoice[] = [
        { version: newest, tier: 'Standard', supportPlan: 'KubernetesOfficial' },
        { version: newest, tier: 'Free', supportPlan: undefined },
        { version: newest, tier: 'Premium', supportPlan: 'KubernetesOfficial' },
      ];
      const lts: VersionChoice = { version: newest, tier: 'Premium', supportPlan: 'AKSLongTermSupport' };
      official.forEach((c, k) => candidates.push([c, [6, 3, 1][k]]));
      candidates.push([lts, 1]);
    }
    return candidates.filter(([c]) => this.versionPasses(c, location));
  }

  violatingVersion(location: string): VersionChoice {
    const rng = this.rng;
    const catalog = this.model.catalogs[location];
    const official = (): VersionChoice => {
      const minor = rng.pick(OFFICIAL_MINORS);
      const patches = catalogPatches(catalog, minor);
      const older = patches.slice(0, -1);
      return {
        version: older.length > 0 ? rng.pick(older) : `${minor}.1`,
        tier: rng.pick(['Free', 'Standard'] as const),
        supportPlan: 'KubernetesOfficial',
      };
    };
    const fromCatalogOr = (minor: string, fallback: string): string => {
      const patches = catalogPatches(catalog, minor);
      return patches.length > 0 ? rng.pick(patches) : fallback;
    };
    const retired = (minors: string[]): VersionChoice => {
      const minor = rng.pick(minors);
      return { version: `${minor}.${rng.pick(RETIRED_PATCHES[minor])}`, tier: 'Standard', supportPlan: undefined };
    };
    switch (
      rng.pick([
        'olderPatch',
        'eolSoon',
        'platform',
        'preview',
        'retired',
        'ltsNotCovered',
        'ancient',
        'ltsPremium',
      ] as const)
    ) {
      case 'olderPatch':
        return official();
      case 'eolSoon':
        return { version: catalogPatches(catalog, '1.34').pop() ?? '1.34.6', tier: 'Standard', supportPlan: undefined };
      case 'platform':
        return { version: fromCatalogOr('1.33', '1.33.7'), tier: rng.pick(['Free', 'Standard'] as const) };
      case 'preview':
        return { version: '1.37.0', tier: 'Standard', supportPlan: 'KubernetesOfficial' };
      case 'retired':
        return retired(['1.28', '1.29', '1.30']);
      case 'ltsNotCovered':
        return { version: fromCatalogOr('1.32', '1.32.9'), tier: 'Standard', supportPlan: 'KubernetesOfficial' };
      case 'ancient':
        return retired(['1.25', '1.26']);
      case 'ltsPremium':
        return {
          version: fromCatalogOr(rng.pick(['1.31', '1.32', '1.33']), '1.31.13'),
          tier: 'Premium',
          supportPlan: 'AKSLongTermSupport',
        };
    }
  }

  olderMinorVersion(version: string, location: string): string {
    const [maj, min] = version.split('.').map(Number);
    const minor = `${maj}.${min - 1}`;
    const patches = catalogPatches(this.model.catalogs[location], minor);
    if (patches.length > 0) return this.rng.pick(patches);
    const retired = RETIRED_PATCHES[minor];
    return `${minor}.${retired ? this.rng.pick(retired) : this.rng.between(1, 12)}`;
  }

  pools(version: string, location: string, count: number, violations: Set<Dimension>): PoolSpec[] {
    const rng = this.rng;
    const pools: PoolSpec[] = [];
    let windowsCount = 0;
    let userCount = 0;
    for (let k = 0; k < count; k++) {
      const windows = k > 0 && rng.chance(0.15);
      const name =
        k === 0 ? rng.pick(['nodepool1', 'system', 'sys']) : windows ? `win${++windowsCount}` : `user${++userCount}`;
      pools.push({
        name,
        mode: k === 0 ? 'System' : 'User',
        osType: windows ? 'Windows' : 'Linux',
        version,
        versionAlias: rng.chance(0.15),
        count: rng.between(1, 12),
        vmSize: rng.pick(['Standard_D4s_v5', 'Standard_D8s_v5', 'Standard_E8s_v5', 'Standard_DS2_v2']),
        image: windows
          ? windowsImage(rng, this.asOf, rng.between(0, 25))
          : linuxImage(rng, this.asOf, rng.between(0, 25)),
      });
    }
    if (violations.has('pools')) {
      const p = pools[pools.length - 1];
      p.version = this.olderMinorVersion(version, location);
      p.versionAlias = false;
    }
    if (violations.has('nodeImage')) {
      const variant = rng.pick(['stale', 'veryStale', 'unrecognised', 'mixed'] as const);
      const target = pools[rng.int(pools.length)];
      const stale = (p: PoolSpec, min: number, max: number) => {
        const age = rng.between(min, max);
        p.image = p.osType === 'Windows' ? windowsImage(rng, this.asOf, age) : linuxImage(rng, this.asOf, age);
      };
      const unrecognised = (p: PoolSpec) => {
        p.image = rng.chance(0.25)
          ? { kind: 'missing' }
          : { kind: 'unrecognised', value: rng.pick(UNRECOGNISED_IMAGES) };
      };
      if (variant === 'stale') stale(target, 35, 85);
      else if (variant === 'veryStale') stale(target, 95, 400);
      else if (variant === 'unrecognised') unrecognised(target);
      else {
        unrecognised(pools[0]);
        stale(pools[pools.length - 1], 35, 400);
      }
    }
    return pools;
  }

  aad(violations: Set<Dimension>): AadSpec {
    const rng = this.rng;
    if (violations.has('entra')) {
      const variant = rng.pick(['absent', 'absent', 'legacy', 'noAzureRbac'] as const);
      if (variant === 'absent') return { kind: 'absent' };
      if (variant === 'legacy') return { kind: 'legacy', managedField: rng.chance(0.5) ? false : undefined };
      return { kind: 'managed', azureRBAC: rng.chance(0.5) ? false : undefined, adminGroups: undefined };
    }
    return { kind: 'managed', azureRBAC: true, adminGroups: undefined };
  }

  autoUpgrade(violations: Set<Dimension>): ClusterSpec['autoUpgrade'] {
    const rng = this.rng;
    const nodeOs = violations.has('nodeOs')
      ? rng.pick(['Unmanaged', 'None', undefined] as const)
      : rng.pick(['NodeImage', 'SecurityPatch'] as const);
    if (!violations.has('autoUpgrade'))
      return { upgradeChannel: rng.pick(['patch', 'stable', 'rapid']), nodeOSUpgradeChannel: nodeOs };
    // AKS only accepts node-image with a NodeImage (or unset) node OS channel.
    const variants = violations.has('nodeOs')
      ? ['none', 'missingChannel', 'noProfile']
      : ['none', 'missingChannel', 'node-image', 'noProfile'];
    switch (rng.pick(variants)) {
      case 'none':
        return { upgradeChannel: 'none', nodeOSUpgradeChannel: nodeOs };
      case 'missingChannel':
        return nodeOs === undefined ? {} : { nodeOSUpgradeChannel: nodeOs };
      case 'node-image':
        return { upgradeChannel: 'node-image', nodeOSUpgradeChannel: rng.chance(0.5) ? 'NodeImage' : undefined };
      default:
        return undefined;
    }
  }

  api(violations: Set<Dimension>): ClusterSpec['api'] {
    const rng = this.rng;
    if (!violations.has('apiServer')) {
      return rng.chance(0.5)
        ? { private: true }
        : { ranges: rng.pick([['203.0.113.0/24'], ['198.51.100.16/28', '203.0.113.7/32'], ['10.20.0.0/16']]) };
    }
    switch (rng.pick(['none', 'open', 'openMixed', 'empty', 'notPrivate'] as const)) {
      case 'none':
        return null;
      case 'open':
        return { ranges: ['0.0.0.0/0'] };
      case 'openMixed':
        return { ranges: ['203.0.113.0/24', '0.0.0.0/0'] };
      case 'empty':
        return { ranges: [] };
      case 'notPrivate':
        return { private: false };
    }
  }

  clusterSpec(pl: Placement, violations: Set<Dimension>): ClusterSpec {
    const rng = this.rng;
    const v = violations.has('version') ? this.violatingVersion(pl.location) : this.cleanVersion(pl.location);
    const lts = v.supportPlan === 'AKSLongTermSupport';
    const template = lts && rng.chance(0.7) ? PREMIUM_TEMPLATE : rng.weighted(Object.entries(TEMPLATE_WEIGHTS));
    if (!templateFiles().includes(template)) throw new Error(`cluster template ${template} missing from the examples`);
    const short = REGION_SHORT[pl.location] ?? pl.location.slice(0, 4);
    const name = `aks-${pl.team}-${pl.env}-${short}-${String(pl.index + 1).padStart(4, '0')}`;
    const tags: Record<string, string> = { environment: pl.env, costCenter: `cc-${rng.between(1000, 9999)}` };
    const ownerRoll = rng.float();
    if (ownerRoll < 0.85) tags.owner = `${pl.team}-oncall@contoso.com`;
    else if (ownerRoll < 0.88) tags.owner = `${pl.team} team`;
    if (rng.chance(0.3)) tags.tier = rng.pick(['production', 'internal', 'experimental']);
    return {
      template,
      subscriptionId: pl.sub.subscriptionId,
      resourceGroup: pl.resourceGroup,
      name,
      location: pl.location,
      tags,
      tier: v.tier === 'Free' && rng.chance(0.3) ? undefined : v.tier,
      supportPlan: v.supportPlan,
      version: v.version,
      versionAlias: rng.chance(0.2),
      pools: this.pools(v.version, pl.location, this.options.poolsPerCluster ?? 2, violations),
      aad: this.aad(violations),
      enableRBAC: violations.has('kubernetesRbac') ? (rng.chance(0.5) ? false : undefined) : true,
      disableLocalAccounts: violations.has('localAccounts') ? (rng.chance(0.6) ? false : undefined) : true,
      api: this.api(violations),
      autoUpgrade: this.autoUpgrade(violations),
      fqdnHash: rng.hex(8),
    };
  }

  // ---- principals and admin groups -------------------------------------------------------------------------------

  person(n: number): { first: string; last: string } {
    return { first: FIRST[n % FIRST.length], last: LAST[Math.floor(n / FIRST.length) % LAST.length] };
  }

  newUser(n: number, guest: boolean): PrincipalSpec {
    const { first, last } = this.person(n);
    const local = `${first}.${last}${Math.floor(n / (FIRST.length * LAST.length)) || ''}`.toLowerCase();
    return guest
      ? {
          id: this.rng.guid(),
          kind: 'user',
          deleted: false,
          guest: true,
          displayName: `${first} ${last} (Fabrikam)`,
          userPrincipalName: `${local}_fabrikam.com#EXT#@contoso.onmicrosoft.com`,
          mail: `${local}@fabrikam.com`,
        }
      : {
          id: this.rng.guid(),
          kind: 'user',
          deleted: false,
          guest: false,
          displayName: `${first} ${last}`,
          userPrincipalName: `${local}@contoso.com`,
          mail: `${local}@contoso.com`,
          accountEnabled: !this.rng.chance(0.03),
        };
  }

  newGroup(name: string, members: number, securityEnabled = true): PrincipalSpec {
    return {
      id: this.rng.guid(),
      kind: 'group',
      deleted: false,
      displayName: name,
      securityEnabled,
      transitiveMemberCount: members,
      mail: securityEnabled ? undefined : `${name}@contoso.com`,
    };
  }

  newServicePrincipal(name: string): PrincipalSpec {
    return { id: this.rng.guid(), kind: 'servicePrincipal', deleted: false, displayName: name, appId: this.rng.guid() };
  }

  newDeleted(n: number): PrincipalSpec {
    const kind = this.rng.pick(['user', 'group', 'servicePrincipal'] as const);
    return { id: this.rng.guid(), kind, deleted: true, displayName: `deleted-${kind}-${n}` };
  }
}

function principalTypeOf(p: PrincipalSpec): string {
  return p.kind === 'user' ? 'User' : p.kind === 'group' ? 'Group' : 'ServicePrincipal';
}

/** Distributes `items` over `slots` so that every item and every slot is used at least once (when both exist). */
function roundRobin<T, S>(items: T[], slots: S[], place: (item: T, slot: S) => void): void {
  if (items.length === 0 || slots.length === 0) return;
  const n = Math.max(items.length, slots.length);
  for (let k = 0; k < n; k++) place(items[k % items.length], slots[k % slots.length]);
}

export function generateFleet(options: FleetOptions): GeneratedFleet {
  const n = Math.max(0, Math.floor(options.clusters));
  const b = new FleetBuilder(options);
  const { rng, model, asOf } = b;

  b.subscriptions(Math.max(1, options.subscriptions ?? Math.ceil(n / 20)));
  const regions = b.regions(options.regions ?? Math.min(8, Math.max(1, n)), options.regionsWithoutCatalog ?? 0);
  const placements = b.placements(n, regions);

  // Which clusters are fully compliant: never in the sandbox management group (it carries broad bad assignments) nor
  // in a region whose version list cannot be read.
  const eligible = placements.filter((p) => !b.isSandbox(p.sub) && model.catalogs[p.location]);
  const cleanCount = Math.min(eligible.length, Math.round(n * (options.compliantShare ?? 0.3)));
  const clean = new Set(
    rng
      .shuffle([...eligible])
      .slice(0, cleanCount)
      .map((p) => p.index),
  );

  const violationsOf: Set<Dimension>[] = [];
  for (const pl of placements) {
    const v = new Set<Dimension>();
    if (!clean.has(pl.index)) for (const d of DIMENSIONS) if (rng.chance(rate(options, d))) v.add(d);
    violationsOf.push(v);
    model.clusters.push(b.clusterSpec(pl, v));
  }

  // ---- principals -------------------------------------------------------------------------------------------------
  const totalPrincipals = Math.max(0, options.principals ?? Math.ceil(n * 1.5));
  const adminCount = Math.min(totalPrincipals, Math.max(0, options.adminGroups ?? Math.ceil(n / 5)));
  const badEach = adminCount >= 4 ? Math.max(1, Math.round(adminCount * 0.04)) : 0;
  const adminDeleted: PrincipalSpec[] = [];
  const adminUsers: PrincipalSpec[] = [];
  const adminEmpty: PrincipalSpec[] = [];
  const adminValid: PrincipalSpec[] = [];
  for (let k = 0; k < adminCount; k++) {
    const team = TEAMS[k % TEAMS.length];
    if (k < badEach) adminDeleted.push({ ...b.newGroup(`aks-admins-${team}-old-${k}`, 5), deleted: true });
    else if (k < 2 * badEach) adminUsers.push(b.newUser(k * 7 + 3, false));
    else if (k < 3 * badEach) adminEmpty.push(b.newGroup(`aks-admins-${team}-${k}`, 0));
    // Small admin groups: two on one cluster stay within the default cluster-admin holder limit (10).
    else adminValid.push(b.newGroup(`aks-admins-${team}-${k}`, rng.between(1, 5)));
  }
  const others = totalPrincipals - adminCount;
  const deletedCount = Math.round(others * (options.deletedShare ?? 0.05));
  const guestCount = Math.round(others * (options.guestShare ?? 0.05));
  const spCount = Math.round(others * 0.2);
  const userCount = Math.max(
    0,
    Math.min(Math.round(others * (options.userShare ?? 0.3)), others - deletedCount - guestCount - spCount),
  );
  const groupCount = Math.max(0, others - deletedCount - guestCount - spCount - userCount);
  const deleted = Array.from({ length: deletedCount }, (_, k) => b.newDeleted(k));
  const guests = Array.from({ length: guestCount }, (_, k) => b.newUser(k * 13 + 5, true));
  const users = Array.from({ length: userCount }, (_, k) => b.newUser(k, false));
  const sps = Array.from({ length: spCount }, (_, k) =>
    b.newServicePrincipal(`${rng.pick(['sp', 'github-actions', 'ado', 'argocd'])}-${TEAMS[k % TEAMS.length]}-${k}`),
  );
  const groups = Array.from({ length: groupCount }, (_, k) =>
    b.newGroup(
      `grp-aks-${TEAMS[k % TEAMS.length]}-${rng.pick(['operators', 'developers', 'readers', 'sre'])}-${k}`,
      rng.chance(0.08) ? 0 : rng.between(1, 300),
      !rng.chance(0.08),
    ),
  );
  model.principals.push(...adminDeleted, ...adminUsers, ...adminEmpty, ...adminValid);
  model.principals.push(...deleted, ...guests, ...users, ...sps, ...groups);

  // ---- admin group lists ------------------------------------------------------------------------------------------
  const managed = model.clusters.map((c, i) => ({ c, i })).filter(({ c }) => c.aad.kind === 'managed');
  const validSlots: ClusterSpec[] = [];
  const badSlots: Record<'deleted' | 'user' | 'empty', ClusterSpec[]> = { deleted: [], user: [], empty: [] };
  for (const { c, i } of managed) {
    const aad = c.aad as Extract<AadSpec, { kind: 'managed' }>;
    const categories = (['deleted', 'user', 'empty'] as const).filter(
      (k) => ({ deleted: adminDeleted, user: adminUsers, empty: adminEmpty })[k].length > 0,
    );
    if (violationsOf[i].has('adminGroups') && categories.length > 0) {
      aad.adminGroups = [];
      badSlots[rng.pick(categories)].push(c);
      if (rng.chance(0.5) && adminValid.length > 0) validSlots.push(c);
    } else {
      const roll = rng.float();
      if (roll < 0.6 && adminValid.length > 0) {
        aad.adminGroups = [];
        validSlots.push(c);
        if (rng.chance(0.3)) validSlots.push(c);
      } else aad.adminGroups = roll < 0.75 ? null : roll < 0.85 ? [] : undefined;
    }
  }
  const addAdmin = (p: PrincipalSpec, c: ClusterSpec) => {
    const list = (c.aad as Extract<AadSpec, { kind: 'managed' }>).adminGroups as string[];
    if (!list.includes(p.id)) list.push(p.id);
  };
  roundRobin(adminValid, validSlots, addAdmin);
  roundRobin(adminDeleted, badSlots.deleted, addAdmin);
  roundRobin(adminUsers, badSlots.user, addAdmin);
  roundRobin(adminEmpty, badSlots.empty, addAdmin);
  // Bad lists may also name a valid group: the worst entry decides.
  for (const c of [...badSlots.deleted, ...badSlots.user, ...badSlots.empty]) {
    const list = (c.aad as Extract<AadSpec, { kind: 'managed' }>).adminGroups as string[];
    if (list.length === 0 && adminValid.length > 0) list.push(rng.pick(adminValid).id);
  }

  // ---- role assignments -------------------------------------------------------------------------------------------
  const totalAssignments = Math.max(0, options.roleAssignments ?? n * 6);
  const relevantTarget = Math.round(totalAssignments * (options.relevantAssignmentShare ?? 1 / 3));
  const relevant: AssignmentSpec[] = [];
  const referenced = new Set<string>();
  const clusterScope = (c: ClusterSpec): string => {
    const id = clusterId(c);
    const roll = rng.float();
    if (roll < 0.2) return id.replace(/\/resourceGroups\//i, '/resourcegroups/');
    if (roll < 0.3)
      return id.replace('Microsoft.ContainerService/managedClusters', 'microsoft.containerservice/managedclusters');
    return id;
  };
  const rgScope = (c: ClusterSpec): string => {
    const roll = rng.float();
    const rg =
      roll < 0.1 ? c.resourceGroup.toUpperCase() : roll < 0.2 ? c.resourceGroup.toLowerCase() : c.resourceGroup;
    return `/subscriptions/${c.subscriptionId}/${rng.chance(0.3) ? 'resourcegroups' : 'resourceGroups'}/${rg}`;
  };
  const subScope = (subscriptionId: string): string =>
    `/subscriptions/${rng.chance(0.05) ? subscriptionId.toUpperCase() : subscriptionId}`;
  const mgScope = (name: string): string =>
    rng.chance(0.2)
      ? `/providers/microsoft.management/managementgroups/${name}`
      : `/providers/Microsoft.Management/managementGroups/${name}`;
  const assign = (list: AssignmentSpec[], p: PrincipalSpec, roleGuid: string, scope: string) => {
    referenced.add(p.id);
    list.push({
      name: rng.guid(),
      roleGuid,
      roleForm: scope.toLowerCase().startsWith('/subscriptions/') && rng.chance(0.4) ? 'subscription' : 'tenant',
      principalId: p.id,
      principalType: principalTypeOf(p),
      scope,
    });
  };

  const userClusters = model.clusters.filter((_, i) => violationsOf[i].has('userBindings'));
  const guestClusters = model.clusters.filter((_, i) => violationsOf[i].has('guestAdmins'));
  const orphanClusters = model.clusters.filter((_, i) => violationsOf[i].has('orphans'));
  roundRobin(users, userClusters, (p, c) => assign(relevant, p, rng.pick(AKS_ROLE_GUIDS), clusterScope(c)));
  roundRobin(guests, guestClusters, (p, c) => assign(relevant, p, rng.pick(ADMIN_ROLE_GUIDS), clusterScope(c)));
  roundRobin(deleted, orphanClusters, (p, c) => assign(relevant, p, rng.pick(AKS_ROLE_GUIDS), clusterScope(c)));

  // A few broad bad assignments, only where no compliant cluster sits under them, so coverage through resource
  // groups, subscriptions and management groups is exercised.
  const cleanSubs = new Set<string>();
  const cleanRgs = new Set<string>();
  const subsWithClusters = new Map<string, ClusterSpec>();
  placements.forEach((pl, i) => {
    const c = model.clusters[i];
    subsWithClusters.set(c.subscriptionId, c);
    if (clean.has(pl.index)) {
      cleanSubs.add(c.subscriptionId);
      cleanRgs.add(`${c.subscriptionId}/${c.resourceGroup}`);
    }
  });
  if (users.length > 0 || deleted.length > 0) {
    for (const [sub, c] of subsWithClusters) {
      if (cleanSubs.has(sub)) continue;
      if (users.length > 0 && rng.chance(0.15))
        assign(relevant, rng.pick(users), rng.pick(NON_ADMIN_ROLE_GUIDS), subScope(sub));
      else if (deleted.length > 0 && rng.chance(0.1) && !cleanRgs.has(`${sub}/${c.resourceGroup}`)) {
        assign(relevant, rng.pick(deleted), rng.pick(AKS_ROLE_GUIDS), rgScope(c));
      }
    }
  }
  const subsById = new Map(model.subscriptions.map((s) => [s.subscriptionId, s]));
  const sandboxClusters = model.clusters.some((c) => b.isSandbox(subsById.get(c.subscriptionId)!));
  if (sandboxClusters) {
    if (guests.length > 0)
      assign(relevant, rng.pick(guests), '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8', mgScope('mg-sandbox'));
    if (users.length > 0)
      assign(relevant, rng.pick(users), '4abbcc35-e782-43d8-92c5-2d3f1bd2253f', mgScope('mg-sandbox'));
  }

  // Clean filler: existing groups and service principals at every kind of covering scope.
  const fillers = [...groups, ...sps, ...adminValid];
  if (n > 0 && fillers.length > 0) {
    let k = 0;
    const mustReference = groups.length + sps.length;
    while (relevant.length < relevantTarget || (k < mustReference && relevant.length < totalAssignments)) {
      const p = k < mustReference ? fillers[k] : rng.pick(fillers);
      k++;
      const c = model.clusters[rng.int(n)];
      const roll = rng.float();
      let scope: string;
      if (roll < 0.6) scope = clusterScope(c);
      else if (roll < 0.8) scope = rgScope(c);
      else if (roll < 0.92) scope = subScope(c.subscriptionId);
      else {
        const chain = subsById.get(c.subscriptionId)!.chain;
        scope = mgScope(rng.pick(chain).name);
      }
      assign(relevant, p, rng.pick(AKS_ROLE_GUIDS), scope);
    }
  }

  // Irrelevant assignments: other roles at covering scopes, AKS roles on resources that are not clusters. Anyone may
  // hold them (guests, deleted principals, users): the RBAC rules must ignore them.
  const irrelevant: AssignmentSpec[] = [];
  const allPrincipals = model.principals;
  const adminIds = new Set(
    model.clusters.flatMap((c) =>
      c.aad.kind === 'managed' && Array.isArray(c.aad.adminGroups) ? c.aad.adminGroups : [],
    ),
  );
  const unreferenced = allPrincipals.filter((p) => !referenced.has(p.id) && !adminIds.has(p.id));
  let u = 0;
  while (n > 0 && allPrincipals.length > 0 && relevant.length + irrelevant.length < totalAssignments) {
    const p = u < unreferenced.length ? unreferenced[u++] : rng.pick(allPrincipals);
    const c = model.clusters[rng.int(n)];
    if (rng.chance(0.5)) {
      const roll = rng.float();
      const scope = roll < 0.4 ? clusterScope(c) : roll < 0.8 ? rgScope(c) : subScope(c.subscriptionId);
      assign(irrelevant, p, rng.pick(OTHER_ROLES), scope);
    } else {
      const resource = rng.pick([
        `providers/Microsoft.Storage/storageAccounts/st${c.name.replace(/[^a-z0-9]/g, '').slice(0, 16)}`,
        `providers/Microsoft.KeyVault/vaults/kv-${c.name.slice(4, 20).replace(/-+$/, '')}`,
        `providers/Microsoft.ContainerRegistry/registries/acr${c.fqdnHash}`,
      ]);
      assign(irrelevant, p, rng.pick(AKS_ROLE_GUIDS), `${rgScope(c)}/${resource}`);
    }
  }
  // Interleave so that relevant and irrelevant rows are not in two blocks.
  model.assignments = rng.shuffle([...relevant, ...irrelevant]);

  // ---- forbidden subscriptions ------------------------------------------------------------------------------------
  const forbidden = Math.max(0, options.forbiddenSubscriptions ?? 0);
  model.forbiddenSubscriptions = [...subsWithClusters.keys()].slice(0, forbidden);

  // ---- inside the clusters ----------------------------------------------------------------------------------------
  assignKubeSpecs(model, (i) => clean.has(placements[i].index), { users, guests, deleted, groups }, options.seed);
  assignEvents(model, (i) => clean.has(placements[i].index), options.seed);

  // ---- truth, and no accidental compliance ------------------------------------------------------------------------
  const ctx = truthContext(model);
  const truth = computeTruth(model, asOf, ctx);
  model.clusters.forEach((c, i) => {
    if (clean.has(placements[i].index)) return;
    const key = clusterKey(c);
    if (isCompliant(truth.get(key)!)) {
      // A non-compliant draw that happened to violate nothing: make it fail on local accounts.
      c.disableLocalAccounts = false;
      truth.set(key, clusterTruth(c, model, asOf, ctx.flags, ctx.principals, ctx.chains));
    }
  });
  const fleet = buildFleet(model);
  return { fleet, truth, model, stats: statsOf(model, fleet, truth) };
}

export function statsOf(model: FleetModel, fleet: Fleet, truth: GroundTruth): FleetStats {
  const adminIds = new Set<string>();
  for (const c of model.clusters) {
    if (c.aad.kind === 'managed' && Array.isArray(c.aad.adminGroups))
      for (const id of c.aad.adminGroups) adminIds.add(id);
  }
  const coveringKeys = new Set<string>();
  const chains = new Map(model.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s.chain]));
  for (const c of model.clusters) {
    const sub = c.subscriptionId.toLowerCase();
    coveringKeys.add(clusterKey(c));
    coveringKeys.add(`/subscriptions/${sub}/resourcegroups/${c.resourceGroup.toLowerCase()}`);
    coveringKeys.add(`/subscriptions/${sub}`);
    for (const m of chains.get(sub) ?? [])
      coveringKeys.add(`/providers/microsoft.management/managementgroups/${m.name.toLowerCase()}`);
  }
  const referenced = new Set<string>(adminIds);
  const resolvable = new Set<string>(adminIds);
  let relevantAssignments = 0;
  for (const a of model.assignments) {
    referenced.add(a.principalId);
    if (AKS_ROLES[a.roleGuid] && coveringKeys.has(a.scope.toLowerCase().replace(/\/+$/, ''))) {
      relevantAssignments++;
      resolvable.add(a.principalId);
    }
  }
  return {
    clusters: fleet.clusters.length,
    subscriptions: fleet.subscriptions.length,
    regions: new Set(model.clusters.map((c) => c.location)).size,
    pools: model.clusters.reduce((sum, c) => sum + c.pools.length, 0),
    roleAssignments: fleet.roleAssignments.length,
    relevantAssignments,
    principals: referenced.size,
    resolvablePrincipals: resolvable.size,
    directoryObjects: fleet.directory.length,
    adminGroups: adminIds.size,
    compliantClusters: [...truth.values()].filter(isCompliant).length,
    clusterEvents: fleet.containerServiceEvents?.length ?? 0,
  };
}

/** The truth of a generated fleet for another as-of date (e.g. the clock moved between two scans). */
export function truthFor(generated: GeneratedFleet, asOf: Date): GroundTruth {
  return computeTruth(generated.model, asOf);
}

/**
 * A copy of a generated fleet with the named clusters changed by `change` (applied to a copy of each cluster's
 * choices); their bodies are rebuilt and the truth recomputed. `ids` compare case-insensitively.
 */
export function changeClusters(
  generated: GeneratedFleet,
  ids: string[],
  change: (spec: ClusterSpec, index: number) => void,
): GeneratedFleet & { changedIds: string[] } {
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const model: FleetModel = { ...generated.model, clusters: [...generated.model.clusters] };
  const clusters = [...generated.fleet.clusters];
  const changedIds: string[] = [];
  model.clusters.forEach((c, i) => {
    if (!wanted.has(clusterKey(c))) return;
    const copy = structuredClone(c);
    change(copy, i);
    model.clusters[i] = copy;
    const subscription = model.subscriptions.find(
      (sub) => sub.subscriptionId.toLowerCase() === copy.subscriptionId.toLowerCase(),
    );
    clusters[i] = buildCluster(copy, subscription?.tenantId ?? model.tenantId);
    changedIds.push(clusters[i].id);
  });
  if (changedIds.length !== wanted.size) {
    const missing = [...wanted].filter((id) => !model.clusters.some((c) => clusterKey(c) === id));
    throw new Error(`changeClusters: no such cluster(s): ${missing.slice(0, 5).join(', ')}`);
  }
  const fleet: Fleet = { ...generated.fleet, clusters };
  const truth = computeTruth(model, model.asOf);
  return { fleet, truth, model, stats: statsOf(model, fleet, truth), changedIds };
}

/**
 * A copy of a generated fleet after `change` edits a deep copy of its whole model (role assignments, principals,
 * subscriptions, catalogs, clusters); the wire data and the truth are rebuilt from it.
 */
export function changeModel(generated: GeneratedFleet, change: (model: FleetModel) => void): GeneratedFleet {
  const model = structuredClone(generated.model);
  change(model);
  const fleet = buildFleet(model);
  const truth = computeTruth(model, model.asOf);
  return { fleet, truth, model, stats: statsOf(model, fleet, truth) };
}

/**
 * Changes `count` clusters (chosen by `seed`) so that each one's truth changes on at least one rule: it toggles
 * local accounts, API server restriction, the auto-upgrade channel or Kubernetes RBAC (in turn).
 */
export function mutateFleet(
  generated: GeneratedFleet,
  count: number,
  seed: number,
): GeneratedFleet & { changedIds: string[] } {
  const rng = new Rng(seed);
  const indexes = rng
    .shuffle(generated.model.clusters.map((_, i) => i))
    .slice(0, Math.min(count, generated.model.clusters.length));
  const order = new Map(indexes.map((idx, k) => [idx, k]));
  return changeClusters(
    generated,
    indexes.map((i) => clusterKey(generated.model.clusters[i])),
    (c, i) => {
      switch ((order.get(i) ?? 0) % 4) {
        case 0:
          c.disableLocalAccounts = c.disableLocalAccounts === true ? false : true;
          break;
        case 1: {
          const restricted = configTruth(c, generated.model.asOf).aks_api_server_access_restricted.status === 'pass';
          c.api = restricted ? null : { private: true };
          break;
        }
        case 2: {
          const ch = c.autoUpgrade?.upgradeChannel;
          const on = ch === 'patch' || ch === 'stable' || ch === 'rapid';
          c.autoUpgrade = { ...(c.autoUpgrade ?? {}), upgradeChannel: on ? 'none' : 'stable' };
          break;
        }
        default:
          c.enableRBAC = c.enableRBAC === true ? false : true;
      }
    },
  );
}

/** Minor versions in use, for quick looks at a fleet's spread. */
export function minorsInUse(model: FleetModel): string[] {
  return [...new Set(model.clusters.map((c) => minorOf(c.version) ?? '?'))].sort(compareVersions);
}

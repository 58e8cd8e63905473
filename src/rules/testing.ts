// Test helpers for rule tests: the verbatim public Azure API examples as ClusterRecords and version catalogs,
// edited per scenario, and a RuleContext builder. Used only by *.test.ts files.
import { readExample } from '../../sim/fleet/fixtures';
import { loadSupportCalendar } from '../catalog/calendar';
import { toClusterRecord } from '../inventory/clusters';
import type {
  AccessView,
  ClusterRecord,
  InClusterView,
  KubernetesVersionWire,
  RegionCatalog,
  Rule,
  RuleContext,
  RuleOutcome,
  Severity,
  SupportCalendar,
} from '../model';
import { buildRuleContext } from './context';

/** A verbatim example file (`aks/ManagedClustersGet.2025-10-01.json`), from the shared examples folder. */
export function loadExample(relativePath: string): Record<string, unknown> {
  return readExample(relativePath) as Record<string, unknown>;
}

/** `responses[status].body` of an `x-ms-examples` file. */
export function exampleResponseBody(relativePath: string, status = '200'): unknown {
  const example = loadExample(relativePath) as { responses?: Record<string, { body?: unknown }> };
  const body = example.responses?.[status]?.body;
  if (body === undefined) throw new Error(`${relativePath} has no responses.${status}.body`);
  return body;
}

export const CLUSTER_EXAMPLES = {
  /** enableRBAC false, no aadProfile, no autoUpgradeProfile, 1.9.6, old-format node image. */
  get: 'aks/ManagedClustersGet.2025-10-01.json',
  /** aadProfile managed + enableAzureRBAC, enableRBAC true. */
  azureRbac: 'aks/ManagedClustersCreate_UpdateWithEnableAzureRBAC.2025-10-01.json',
  /** sku Premium, supportPlan AKSLongTermSupport, no currentKubernetesVersion. */
  premium: 'aks/ManagedClustersCreate_Premium.2025-10-01.json',
  /** enablePrivateCluster true. */
  privateCluster: 'aks/ManagedClustersCreate_PrivateClusterFQDNSubdomain.2025-10-01.json',
  windowsGmsa: 'aks/ManagedClustersCreate_UpdateWindowsGmsa.2025-10-01.json',
} as const;

/** A verbatim cluster example as the rules see it (through the same normaliser as live and offline rows). */
export function exampleCluster(relativePath: string = CLUSTER_EXAMPLES.get, status = '200'): ClusterRecord {
  const result = toClusterRecord(exampleResponseBody(relativePath, status));
  if ('error' in result) throw new Error(`${relativePath}: ${result.error}`);
  return result.record;
}

type Patch = Record<string, unknown>;

/**
 * A copy of the cluster with `properties` fields replaced; a value of `undefined` deletes the field.
 * Nested objects are replaced whole (pass the full object you want).
 */
export function withProperties(cluster: ClusterRecord, patch: Patch): ClusterRecord {
  const copy = structuredClone(cluster);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete copy.properties[key];
    else copy.properties[key] = value;
  }
  return copy;
}

/** A copy of the cluster with top-level fields replaced (`sku`, `location`, ...). */
export function withCluster(cluster: ClusterRecord, patch: Partial<ClusterRecord>): ClusterRecord {
  return { ...structuredClone(cluster), ...patch };
}

/** A copy with every agent pool's fields replaced by `pools[i]` (extra entries add pools based on the first). */
export function withPools(cluster: ClusterRecord, pools: Patch[]): ClusterRecord {
  const existing = Array.isArray(cluster.properties.agentPoolProfiles)
    ? (cluster.properties.agentPoolProfiles as Patch[])
    : [];
  const template = existing[0] ?? {};
  const next = pools.map((patch, i) => {
    const pool = structuredClone(existing[i] ?? template);
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete pool[key];
      else pool[key] = value;
    }
    return pool;
  });
  return withProperties(cluster, { agentPoolProfiles: next });
}

/** The verbatim KubernetesVersions_List answer (`values`: 1.23, 1.24, 1.25 GA official; 1.26 preview). */
export function exampleVersions(): KubernetesVersionWire[] {
  const body = exampleResponseBody('aks/KubernetesVersions_List.2025-10-01.json') as {
    values: KubernetesVersionWire[];
  };
  return structuredClone(body.values);
}

/**
 * The verbatim KubernetesVersions_List answer with every entry renumbered by `minorShift` (the example's 1.23..1.26
 * become 1.(23+shift)..1.(26+shift), patches alike), so scenarios use current versions with the real shape.
 */
export function shiftedVersions(minorShift: number): KubernetesVersionWire[] {
  const shift = (text: string) =>
    text.replace(/^(\d+)\.(\d+)/, (_m, major: string, minor: string) => `${major}.${Number(minor) + minorShift}`);
  return exampleVersions().map((entry) => ({
    ...entry,
    version: shift(entry.version),
    patchVersions: Object.fromEntries(
      Object.entries(entry.patchVersions ?? {}).map(([patch, info]) => [
        shift(patch),
        { ...info, upgrades: (info.upgrades ?? []).map(shift) },
      ]),
    ),
  }));
}

/** Sets an entry's support plans (for LTS scenarios), by minor. */
export function withSupportPlans(
  values: KubernetesVersionWire[],
  minor: string,
  supportPlan: string[],
): KubernetesVersionWire[] {
  return values.map((entry) =>
    entry.version === minor ? { ...entry, capabilities: { ...entry.capabilities, supportPlan } } : entry,
  );
}

export function readableCatalog(values: KubernetesVersionWire[], location = 'location1'): RegionCatalog {
  return { readable: true, location, values };
}

/** 2026-11-27, the as-of date the scenarios are written for. */
export const AS_OF = new Date('2026-11-27T00:00:00Z');

export interface TestContextOptions {
  asOf?: Date;
  /** Catalog values for `location1` (the examples' location); default: the verbatim example shifted to 1.31..1.34. */
  versions?: KubernetesVersionWire[];
  /** Replaces the catalogs entirely (for unreadable or missing catalogs). */
  catalogs?: ReadonlyMap<string, RegionCatalog>;
  calendar?: SupportCalendar;
  nodeImageMaxAgeDays?: number;
  eolWarningDays?: number;
  access?: AccessView;
  inCluster?: InClusterView;
  maxClusterAdmins?: number;
}

/** Default catalog: 1.31 (oldest GA), 1.32 (default), 1.33 GA, 1.34 preview; platform support is 1.30. */
export const DEFAULT_SHIFT = 8;

export function testContext(options: TestContextOptions = {}): RuleContext {
  const catalogs =
    options.catalogs ?? new Map([['location1', readableCatalog(options.versions ?? shiftedVersions(DEFAULT_SHIFT))]]);
  return buildRuleContext({
    asOf: options.asOf ?? AS_OF,
    catalogs,
    calendar: options.calendar ?? loadSupportCalendar(),
    nodeImageMaxAgeDays: options.nodeImageMaxAgeDays,
    eolWarningDays: options.eolWarningDays,
    access: options.access,
    inCluster: options.inCluster,
    maxClusterAdmins: options.maxClusterAdmins,
  });
}

export interface RuleCase {
  /** Scenario, used in the test name: `<rule id>: <scenario>`. */
  scenario: string;
  cluster: ClusterRecord;
  context?: TestContextOptions;
  status: RuleOutcome['status'];
  /** Expected finding severity (outcome.severity ?? rule.severity) when given. */
  severity?: Severity;
  /** Every pattern must match the message. */
  message?: RegExp | RegExp[];
  details?: Record<string, unknown>;
  /** Expected remediation (a substring or a pattern). */
  remediation?: string | RegExp;
}

/** Table-driven rule tests: one `it` per case, named after the rule and the scenario. */
export function describeRuleCases(rule: Rule, cases: RuleCase[]): void {
  describe(rule.id, () => {
    it.each(cases.map((c) => [c.scenario, c] as const))(`${rule.id}: %s`, (_scenario, c) => {
      const ctx = testContext(c.context);
      const outcome = rule.evaluate(c.cluster, ctx);
      expect(outcome.status).toBe(c.status);
      if (c.severity) expect(outcome.severity ?? rule.severity).toBe(c.severity);
      for (const pattern of c.message === undefined ? [] : Array.isArray(c.message) ? c.message : [c.message]) {
        expect(outcome.message).toMatch(pattern);
      }
      if (c.details) expect(outcome.details).toMatchObject(c.details);
      const remediation = rule.remediation(c.cluster, outcome, ctx);
      expect(remediation).toMatch(/^az /);
      if (typeof c.remediation === 'string') expect(remediation).toContain(c.remediation);
      else if (c.remediation) expect(remediation).toMatch(c.remediation);
    });
  });
}

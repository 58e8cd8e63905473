// Defensive readers shared by the rules: cluster data may be missing, null, of the wrong type or garbage, and a
// rule must turn that into `unknown` with a message naming the field, never throw.
import {
  catalogFacts,
  parseVersion,
  SUPPORT_PLAN_LTS,
  type CatalogFacts,
  type ParsedVersion,
} from '../catalog/support';
import {
  normaliseId,
  normaliseLocation,
  type ClusterRecord,
  type Rule,
  type RuleContext,
  type RuleOutcome,
} from '../model';

export const DAY_MS = 86_400_000;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaves plain names as they are and single-quotes anything else, so a remediation command pastes safely. */
export function shellArg(value: string): string {
  return /^[A-Za-z0-9_.\-/:]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// Every rule's remediation names the cluster, and the engine runs a cluster's rules one after another: the
// arguments of the cluster at hand are made once.
interface ClusterNames {
  cluster: ClusterRecord;
  resourceGroup: string;
  name: string;
  args: string;
  poolArgs: string;
}

let lastNames: ClusterNames | undefined;

function quotedNames(cluster: ClusterRecord): ClusterNames {
  const known = lastNames;
  if (known?.cluster === cluster && known.resourceGroup === cluster.resourceGroup && known.name === cluster.name)
    return known;
  const rg = shellArg(cluster.resourceGroup);
  const n = shellArg(cluster.name);
  lastNames = {
    cluster,
    resourceGroup: cluster.resourceGroup,
    name: cluster.name,
    args: `--resource-group ${rg} --name ${n}`,
    poolArgs: `--resource-group ${rg} --cluster-name ${n}`,
  };
  return lastNames;
}

/** `--resource-group RG --name NAME` for `az aks` commands. */
export function clusterArgs(cluster: ClusterRecord): string {
  return quotedNames(cluster).args;
}

/** `--resource-group RG --cluster-name NAME` for `az aks nodepool` commands. */
export function nodepoolArgs(cluster: ClusterRecord): string {
  return quotedNames(cluster).poolArgs;
}

/** At most this many outcomes are remembered per rule and scope (see OutcomeMemo). */
export const OUTCOME_MEMO_MAX = 10_000;

type Level = Map<unknown, unknown>;

/**
 * Outcomes that depend only on a few values (within one context) are judged once and shared by every cluster with
 * those values, so a fleet of clusters on the same few versions and settings builds each message and details object
 * once. Findings never mutate an outcome or its details. The keys must name everything `judge` reads of the cluster;
 * they compare as Map keys do (strings and numbers by value, objects by identity), so lookups build no strings.
 */
export class OutcomeMemo {
  private readonly byScope = new WeakMap<object, { size: number; byLength: Level[] }>();

  /** `scope`: what the outcome was judged with besides the keys (the context, or an access view of it). */
  get(scope: RuleContext | object, keys: readonly unknown[], judge: () => RuleOutcome): RuleOutcome {
    let memo = this.byScope.get(scope);
    if (!memo) this.byScope.set(scope, (memo = { size: 0, byLength: [] }));
    // Lists of each length have their own levels, so that a shorter list never meets a longer one's inner level.
    let level = (memo.byLength[keys.length] ??= new Map());
    const last = keys.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(keys[i]) as Level | undefined;
      if (!next) level.set(keys[i], (next = new Map()));
      level = next;
    }
    const key = last >= 0 ? keys[last] : undefined;
    let outcome = level.get(key) as RuleOutcome | undefined;
    if (outcome === undefined) {
      outcome = judge();
      if (memo.size >= OUTCOME_MEMO_MAX) {
        this.byScope.delete(scope);
        return outcome;
      }
      memo.size++;
      level.set(key, outcome);
    }
    return outcome;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function unknown(message: string, details: Record<string, unknown> = {}): RuleOutcome {
  return { status: 'unknown', message, details };
}

export type Read<T> = { ok: true; value: T } | { ok: false; outcome: RuleOutcome };

/** A sub-object of `properties`: undefined when missing or null, an unknown outcome when of the wrong type. */
export function readObject(cluster: ClusterRecord, field: string): Read<Record<string, unknown> | undefined> {
  const props = isRecord(cluster.properties) ? cluster.properties : {};
  const value = props[field];
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (!isRecord(value)) {
    return {
      ok: false,
      outcome: unknown(`properties.${field} is ${describe(value)}, not an object: cannot be evaluated`, { field }),
    };
  }
  return { ok: true, value };
}

/** A boolean: undefined when missing or null, an unknown outcome when anything but a boolean. */
export function readBoolean(
  obj: Record<string, unknown> | undefined,
  key: string,
  fieldPath: string,
): Read<boolean | undefined> {
  const value = obj?.[key];
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (typeof value !== 'boolean') {
    return {
      ok: false,
      outcome: unknown(`${fieldPath} is ${describe(value)}, not true or false: cannot be evaluated`, {
        field: fieldPath,
        value: typeof value === 'string' ? value.slice(0, 200) : typeof value,
      }),
    };
  }
  return { ok: true, value };
}

export function properties(cluster: ClusterRecord): Record<string, unknown> {
  return isRecord(cluster.properties) ? cluster.properties : {};
}

export interface ClusterVersion {
  text: string;
  version: ParsedVersion;
  field: 'currentKubernetesVersion' | 'kubernetesVersion';
}

// A fleet runs a few dozen version texts: each field's reading of each text is made once and shared.
const versionReads = {
  currentKubernetesVersion: new Map<string, Read<ClusterVersion>>(),
  kubernetesVersion: new Map<string, Read<ClusterVersion>>(),
};

function readVersionField(field: ClusterVersion['field'], value: unknown): Read<ClusterVersion> {
  const version = parseVersion(value);
  if (!version) {
    return {
      ok: false,
      outcome: unknown(`properties.${field} is ${describe(value)}, not a Kubernetes version such as 1.33.2`, {
        field: `properties.${field}`,
      }),
    };
  }
  return { ok: true, value: { text: (value as string).trim(), version, field } };
}

/** The cluster's version: `currentKubernetesVersion`, falling back to `kubernetesVersion`. */
export function readClusterVersion(cluster: ClusterRecord): Read<ClusterVersion> {
  const props = properties(cluster);
  for (const field of ['currentKubernetesVersion', 'kubernetesVersion'] as const) {
    const value = props[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return readVersionField(field, value);
    const known = versionReads[field];
    let read = known.get(value);
    if (read === undefined) {
      read = readVersionField(field, value);
      if (known.size >= 10_000) known.clear();
      known.set(value, read);
    }
    return read;
  }
  return {
    ok: false,
    outcome: unknown(
      'The cluster has no Kubernetes version (properties.currentKubernetesVersion and kubernetesVersion are missing)',
      {
        field: 'properties.currentKubernetesVersion',
      },
    ),
  };
}

// A fleet spans a few dozen regions: each spelling is normalised once.
const locations = new Map<string, string>();

/** The cluster's location as the catalogs are keyed ('' when it has none). */
export function locationOf(cluster: ClusterRecord): string {
  const raw = cluster.location;
  if (typeof raw !== 'string') return '';
  let location = locations.get(raw);
  if (location === undefined) {
    location = normaliseLocation(raw);
    if (locations.size >= 1_000) locations.clear();
    locations.set(raw, location);
  }
  return location;
}

/** The cluster's version text as the report shows it (current, falling back to the requested version). */
export function reportedVersion(cluster: ClusterRecord): string | null {
  const props = properties(cluster);
  for (const field of ['currentKubernetesVersion', 'kubernetesVersion']) {
    const value = props[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

/** The region's catalog facts, or an unknown outcome saying why there are none. */
export function readCatalog(cluster: ClusterRecord, ctx: RuleContext): Read<CatalogFacts> {
  const location = locationOf(cluster);
  if (!location) {
    return {
      ok: false,
      outcome: unknown('The cluster has no location, so no version catalog applies', { field: 'location' }),
    };
  }
  const catalog = ctx.catalogs.get(location);
  if (!catalog) {
    return {
      ok: false,
      outcome: unknown(`No Kubernetes version catalog was read for region ${location}`, { location }),
    };
  }
  if (!catalog.readable) {
    return {
      ok: false,
      outcome: unknown(
        `The Kubernetes version catalog of region ${location} could not be read: ${catalog.reason.replace(/\.?\s*$/, '.')}`,
        {
          location,
          reason: catalog.reason,
        },
      ),
    };
  }
  if (catalog.upgradeProfileOf && normaliseId(catalog.upgradeProfileOf) !== normaliseId(cluster.id)) {
    return {
      ok: false,
      outcome: unknown(
        `The versions given for region ${location} are the upgrade profile of another cluster ` +
          `(${catalog.upgradeProfileOf}); they answer for that cluster only`,
        { location, upgradeProfileOf: catalog.upgradeProfileOf },
      ),
    };
  }
  const facts = catalogFacts(catalog);
  if (facts.minors.length === 0) {
    return {
      ok: false,
      outcome: unknown(`The Kubernetes version catalog of region ${location} lists no readable versions`, { location }),
    };
  }
  return { ok: true, value: facts };
}

/** The cluster asks for Long Term Support: `sku.tier` Premium and `supportPlan` AKSLongTermSupport. */
export function clusterOnLtsPlan(cluster: ClusterRecord): boolean {
  const tier = isRecord(cluster.sku) ? cluster.sku.tier : undefined;
  const plan = properties(cluster).supportPlan;
  return (
    typeof tier === 'string' &&
    tier.toLowerCase() === 'premium' &&
    typeof plan === 'string' &&
    plan.toLowerCase() === SUPPORT_PLAN_LTS.toLowerCase()
  );
}

export interface PoolEntry {
  index: number;
  name: string;
  pool: Record<string, unknown>;
}

/** `properties.agentPoolProfiles`: the pools, or an unknown outcome when the list is missing or not a list. */
export function readPools(cluster: ClusterRecord): Read<PoolEntry[]> {
  const value = properties(cluster).agentPoolProfiles;
  // Several rules read the pools of the cluster at hand, one after another: the list is read once (callers never
  // mutate it).
  if (lastPools?.cluster === cluster && lastPools.value === value) return lastPools.read;
  const read = readPoolList(value);
  lastPools = { cluster, value, read };
  return read;
}

let lastPools: { cluster: ClusterRecord; value: unknown; read: Read<PoolEntry[]> } | undefined;

function readPoolList(value: unknown): Read<PoolEntry[]> {
  if (!Array.isArray(value)) {
    return {
      ok: false,
      outcome: unknown(`properties.agentPoolProfiles is ${describe(value)}, not a list of node pools`, {
        field: 'properties.agentPoolProfiles',
      }),
    };
  }
  return {
    ok: true,
    value: value.map((pool, index) => {
      const record = isRecord(pool) ? pool : {};
      const name = typeof record.name === 'string' && record.name !== '' ? record.name : `#${index + 1}`;
      return { index, name, pool: record };
    }),
  };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function learn(path: string): string {
  return `https://learn.microsoft.com/azure/aks/${path}`;
}

/** A rule with the prose that docs/rules.md prints under "How it is evaluated". */
export interface DocumentedRule extends Rule {
  evaluation: string;
}

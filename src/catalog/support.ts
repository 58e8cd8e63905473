// Support-window logic over one region's listKubernetesVersions answer. Pure: no I/O, no clock.
//
// Decisions (documented in docs/rules.md through the rules that use them):
// - Versions compare as numbers (1.9 < 1.34), never as strings.
// - An entry is official when `capabilities.supportPlan` lists `KubernetesOfficial`. A GA entry that carries no
//   `capabilities.supportPlan` at all (API versions before support plans existed) is treated as official: every GA
//   minor of those answers was community supported. An entry whose list is present but lacks `KubernetesOfficial`
//   (for example LTS only) is not official.
// - Platform support is exactly one minor below the oldest official GA minor (same major).
// - Patches are the keys of `patchVersions` for the minor, preview entries included.
import type { KubernetesVersionWire, RegionCatalog } from '../model';

export const SUPPORT_PLAN_OFFICIAL = 'KubernetesOfficial';
export const SUPPORT_PLAN_LTS = 'AKSLongTermSupport';

export interface MinorVersion {
  major: number;
  minor: number;
}

export interface FullVersion extends MinorVersion {
  patch: number;
}

export interface ParsedVersion extends MinorVersion {
  /** Absent when the text names only a minor (`1.33`). */
  patch?: number;
}

const VERSION_PATTERN = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?$/;

/** `1.33`, `1.33.2` or `v1.33.2` as numbers; undefined for anything else (never throws). */
export function parseVersion(text: unknown): ParsedVersion | undefined {
  if (typeof text !== 'string') return undefined;
  const m = VERSION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const parsed: ParsedVersion = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) parsed.patch = Number(m[3]);
  return parsed;
}

/** `major.minor` in canonical form (no leading zeros). */
export function minorKey(v: MinorVersion): string {
  return `${v.major}.${v.minor}`;
}

export function formatVersion(v: FullVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Negative when a is older than b. */
export function compareMinor(a: MinorVersion, b: MinorVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Negative when a is older than b; a missing patch sorts before every patch. */
export function compareVersion(a: ParsedVersion, b: ParsedVersion): number {
  return compareMinor(a, b) || (a.patch ?? -1) - (b.patch ?? -1);
}

export function sameMinor(a: MinorVersion, b: MinorVersion): boolean {
  return compareMinor(a, b) === 0;
}

/** What one catalog says about one minor (several `values` entries for a minor are merged). */
export interface MinorFacts {
  minor: MinorVersion;
  key: string;
  /** True when every entry for the minor is preview. */
  preview: boolean;
  supportPlans: string[];
  official: boolean;
  ltsCapable: boolean;
  /** Listed patches of the minor, oldest first (preview entries included). */
  patches: FullVersion[];
}

/** Derived facts of one readable catalog, computed once per RegionCatalog object. */
export interface CatalogFacts {
  location: string;
  /** Oldest first. */
  minors: MinorFacts[];
  byKey: ReadonlyMap<string, MinorFacts>;
  /** Oldest GA minor whose plan is official (the N-2 of the support window). */
  oldestOfficialGaMinor?: MinorVersion;
  newestOfficialGaMinor?: MinorVersion;
  /** Exactly one minor below the oldest official GA minor: platform support only. */
  platformSupportMinor?: MinorVersion;
  /** Entries that could not be read (a garbage `version`), for messages. */
  ignoredEntries: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPlans(entry: Record<string, unknown>): string[] | undefined {
  const capabilities = entry.capabilities;
  if (!isRecord(capabilities)) return undefined;
  const plans = capabilities.supportPlan;
  if (!Array.isArray(plans)) return undefined;
  return plans.filter((p): p is string => typeof p === 'string');
}

function hasPlan(plans: string[], plan: string): boolean {
  return plans.some((p) => p.toLowerCase() === plan.toLowerCase());
}

function buildFacts(location: string, values: readonly KubernetesVersionWire[]): CatalogFacts {
  interface Acc {
    minor: MinorVersion;
    allPreview: boolean;
    plans: Set<string>;
    anyPlansMissingOnGa: boolean;
    patches: Map<string, FullVersion>;
  }
  const acc = new Map<string, Acc>();
  let ignoredEntries = 0;
  for (const raw of Array.isArray(values) ? values : []) {
    if (!isRecord(raw)) {
      ignoredEntries++;
      continue;
    }
    const parsed = parseVersion(raw.version);
    if (!parsed) {
      ignoredEntries++;
      continue;
    }
    const minor: MinorVersion = { major: parsed.major, minor: parsed.minor };
    const key = minorKey(minor);
    let a = acc.get(key);
    if (!a) {
      a = { minor, allPreview: true, plans: new Set(), anyPlansMissingOnGa: false, patches: new Map() };
      acc.set(key, a);
    }
    const preview = raw.isPreview === true;
    if (!preview) a.allPreview = false;
    const plans = readPlans(raw);
    if (plans) plans.forEach((p) => a.plans.add(p));
    else if (!preview) a.anyPlansMissingOnGa = true;
    if (isRecord(raw.patchVersions)) {
      for (const patchText of Object.keys(raw.patchVersions)) {
        const p = parseVersion(patchText);
        if (p && p.patch !== undefined && sameMinor(p, minor)) {
          const full: FullVersion = { major: p.major, minor: p.minor, patch: p.patch };
          a.patches.set(formatVersion(full), full);
        }
      }
    }
  }
  const minors: MinorFacts[] = [...acc.entries()]
    .map(([key, a]) => {
      const supportPlans = [...a.plans];
      return {
        minor: a.minor,
        key,
        preview: a.allPreview,
        supportPlans,
        official: !a.allPreview && (hasPlan(supportPlans, SUPPORT_PLAN_OFFICIAL) || a.anyPlansMissingOnGa),
        ltsCapable: hasPlan(supportPlans, SUPPORT_PLAN_LTS),
        patches: [...a.patches.values()].sort(compareVersion),
      };
    })
    .sort((x, y) => compareMinor(x.minor, y.minor));
  const officialGa = minors.filter((m) => m.official);
  const oldest = officialGa[0]?.minor;
  const newest = officialGa[officialGa.length - 1]?.minor;
  return {
    location,
    minors,
    byKey: new Map(minors.map((m) => [m.key, m])),
    oldestOfficialGaMinor: oldest,
    newestOfficialGaMinor: newest,
    platformSupportMinor: oldest && oldest.minor > 0 ? { major: oldest.major, minor: oldest.minor - 1 } : undefined,
    ignoredEntries,
  };
}

const factsCache = new WeakMap<object, CatalogFacts>();

/** The catalog's derived facts; memoised per catalog object so a fleet scan parses each region once. */
export function catalogFacts(catalog: Extract<RegionCatalog, { readable: true }>): CatalogFacts {
  let facts = factsCache.get(catalog);
  if (!facts) {
    facts = buildFacts(catalog.location, catalog.values);
    factsCache.set(catalog, facts);
  }
  return facts;
}

export function findMinor(facts: CatalogFacts, version: MinorVersion): MinorFacts | undefined {
  return facts.byKey.get(minorKey(version));
}

export function isGa(entry: MinorFacts): boolean {
  return !entry.preview;
}

export function isOfficial(entry: MinorFacts): boolean {
  return entry.official;
}

export function isLtsCapable(entry: MinorFacts): boolean {
  return entry.ltsCapable;
}

export function isPlatformSupportMinor(facts: CatalogFacts, version: MinorVersion): boolean {
  return facts.platformSupportMinor !== undefined && sameMinor(facts.platformSupportMinor, version);
}

/** Newest listed patch of the minor (preview entries included); undefined when the catalog lists none. */
export function newestPatch(facts: CatalogFacts, version: MinorVersion): FullVersion | undefined {
  const entry = findMinor(facts, version);
  return entry?.patches[entry.patches.length - 1];
}

/** How many listed patches of the version's minor are newer than the version. */
export function patchesBehind(facts: CatalogFacts, version: FullVersion): number {
  const entry = findMinor(facts, version);
  if (!entry) return 0;
  return entry.patches.filter((p) => compareVersion(p, version) > 0).length;
}

/** The newest listed patch of the oldest official GA minor newer than `version` (the next upgrade step). */
export function upgradeTarget(facts: CatalogFacts, version: MinorVersion): FullVersion | undefined {
  // Remembered per catalog and minor: every cluster of a region on the same minor asks the same.
  let byMinor = targets.get(facts);
  if (!byMinor) targets.set(facts, (byMinor = new Map()));
  const key = minorKey(version);
  if (byMinor.has(key)) return byMinor.get(key);
  const target = facts.minors.find((m) => m.official && m.patches.length > 0 && compareMinor(m.minor, version) > 0);
  const answer = target?.patches[target.patches.length - 1];
  byMinor.set(key, answer);
  return answer;
}

const targets = new WeakMap<CatalogFacts, Map<string, FullVersion | undefined>>();

/** The newest GA patch of the oldest official GA minor: where an unsupported cluster may jump to. */
export function oldestSupportedTarget(facts: CatalogFacts): FullVersion | undefined {
  const oldest = facts.minors.find((m) => m.official && m.patches.length > 0);
  return oldest?.patches[oldest.patches.length - 1];
}

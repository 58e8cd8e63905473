// The Kubernetes version list of every region the fleet uses: one listKubernetesVersions call per distinct location,
// asked through a subscription that has a cluster there, a few regions at a time, kept for the run.
import { AKS_API_VERSION, unservedApiVersionReason } from '../azure/apiVersions';
import type { AzureClients } from '../azure/clients';
import type { ClusterHead, KubernetesVersionWire, RegionCatalog } from '../model';
import { normaliseLocation } from '../model';

export interface FetchRegionCatalogsOptions {
  /** Regions asked at the same time. */
  concurrency?: number;
  /** Subscriptions tried per region when one is refused (403) or does not know the region (404). */
  maxSubscriptionsPerRegion?: number;
  /** Catalogs already read in this run: those regions are not asked again, and new answers are added to it. */
  cache?: Map<string, RegionCatalog>;
  abortSignal?: AbortSignal;
  log?: (line: string) => void;
}

interface ErrorLike {
  message?: string;
  statusCode?: number;
  code?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/**
 * The SDK model of a listKubernetesVersions answer, back in wire form (`values[]`), the form the rules, the
 * offline `--versions` input and the simulator share. Entries without a version string are dropped.
 */
export function toVersionListWire(result: unknown): KubernetesVersionWire[] {
  const values = isObject(result) && Array.isArray(result.values) ? result.values : [];
  const out: KubernetesVersionWire[] = [];
  for (const entry of values) {
    if (!isObject(entry) || typeof entry.version !== 'string') continue;
    const wire: KubernetesVersionWire = { version: entry.version };
    if (typeof entry.isDefault === 'boolean') wire.isDefault = entry.isDefault;
    if (typeof entry.isPreview === 'boolean') wire.isPreview = entry.isPreview;
    if (isObject(entry.capabilities)) {
      const supportPlan = strings(entry.capabilities.supportPlan);
      wire.capabilities = supportPlan ? { supportPlan } : {};
    }
    if (isObject(entry.patchVersions)) {
      const patches: Record<string, { upgrades?: string[] }> = {};
      for (const [patch, info] of Object.entries(entry.patchVersions)) {
        const upgrades = isObject(info) ? strings(info.upgrades) : undefined;
        patches[patch] = upgrades ? { upgrades } : {};
      }
      wire.patchVersions = patches;
    }
    out.push(wire);
  }
  return out;
}

function describe(error: unknown): string {
  const e = error as ErrorLike;
  const status = typeof e?.statusCode === 'number' ? `HTTP ${e.statusCode}` : (e?.code ?? 'error');
  return `${status}: ${(typeof e?.message === 'string' ? e.message : String(error)).slice(0, 300)}`;
}

/** Subscriptions with a cluster in each normalised location, in the order the clusters came. */
function subscriptionsByLocation(clusters: readonly ClusterHead[]): Map<string, string[]> {
  const byLocation = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const cluster of clusters) {
    if (typeof cluster.location !== 'string' || cluster.location.trim() === '') continue;
    const location = normaliseLocation(cluster.location);
    const sub = cluster.subscriptionId;
    const key = `${location}|${sub.toLowerCase()}`;
    let subs = byLocation.get(location);
    if (!subs) byLocation.set(location, (subs = []));
    if (!seen.has(key)) {
      seen.add(key);
      subs.push(sub);
    }
  }
  return byLocation;
}

async function readRegion(
  clients: AzureClients,
  location: string,
  subscriptions: string[],
  options: FetchRegionCatalogsOptions,
): Promise<RegionCatalog> {
  const tries = subscriptions.slice(0, Math.max(1, options.maxSubscriptionsPerRegion ?? 3));
  const failures: string[] = [];
  for (const sub of tries) {
    try {
      const result = await clients
        .containerService(sub)
        .managedClusters.listKubernetesVersions(
          location,
          options.abortSignal ? { abortSignal: options.abortSignal } : {},
        );
      return { readable: true, location, values: toVersionListWire(result) };
    } catch (error) {
      const unserved = unservedApiVersionReason(error, AKS_API_VERSION);
      if (unserved) {
        // Every subscription would answer the same: the product and the service disagree on the api-version.
        const reason = `the Kubernetes version list of ${location} could not be read: ${unserved}: ${describe(error)}`;
        options.log?.(`containerService: ${reason}`);
        return { readable: false, location, reason };
      }
      failures.push(`subscription ${sub}: ${describe(error)}`);
      const status = (error as ErrorLike)?.statusCode;
      // Another subscription may be allowed to read the list, or have the region registered.
      if (status === 403 || status === 404) continue;
      break;
    }
  }
  const reason = `the Kubernetes version list of ${location} could not be read (${failures.join('; ')})`;
  options.log?.(`containerService: ${reason}`);
  return { readable: false, location, reason };
}

/**
 * The version catalog of every distinct location of `clusters`, keyed by normalised location. A region whose list
 * cannot be read maps to `{ readable: false, reason }`: its version rules are then unknown, never pass or fail.
 */
export async function fetchRegionCatalogs(
  clients: AzureClients,
  clusters: readonly ClusterHead[],
  options: FetchRegionCatalogsOptions = {},
): Promise<Map<string, RegionCatalog>> {
  const cache = options.cache ?? new Map<string, RegionCatalog>();
  const pending = [...subscriptionsByLocation(clusters)].filter(([location]) => !cache.has(location));
  const concurrency = Math.max(1, options.concurrency ?? 8);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const [location, subs] = pending[next++];
      cache.set(location, await readRegion(clients, location, subs, options));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
  const result = new Map<string, RegionCatalog>();
  for (const location of subscriptionsByLocation(clusters).keys()) {
    const catalog = cache.get(location);
    if (catalog) result.set(location, catalog);
  }
  return result;
}

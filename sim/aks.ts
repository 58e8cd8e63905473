// The AKS resource provider: version lists per location, managed clusters, cluster and agent pool upgrade profiles.
import type { KubernetesVersionWire } from '../src/model';
import type { EndpointName, Faults } from './faults';
import type { ArmManagedCluster, Fleet } from './fleet/types';
import { armError, json, type SimRequest, type SimResponse } from './http';

const PROVIDER = 'Microsoft.ContainerService';

/**
 * The Microsoft.ContainerService api-versions the simulator serves: those of the vendored examples
 * (sim/fixtures/azure-api-examples/aks/*.2025-10-01.json). Any other is refused like ARM refuses a version the
 * provider does not serve.
 */
export const AKS_SERVED_API_VERSIONS = ['2025-10-01'] as const;

/** 400 InvalidApiVersionParameter for an api-version the provider does not serve; undefined when it is served. */
export function unservedApiVersion(
  apiVersion: string,
  served: readonly string[] = AKS_SERVED_API_VERSIONS,
): SimResponse | undefined {
  if (served.includes(apiVersion)) return undefined;
  return armError(
    400,
    'InvalidApiVersionParameter',
    `The api-version '${apiVersion}' is invalid. The supported versions are '${served.join(',')}'.`,
  );
}

function normaliseLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}

function versionParts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10));
}

function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Number.isNaN(d) ? 0 : d;
  }
  return 0;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export class AksSim {
  private fleet!: Fleet;
  private clustersById = new Map<string, ArmManagedCluster>();
  private clustersBySubscription = new Map<string, ArmManagedCluster[]>();
  private subscriptions = new Set<string>();
  private forbiddenByFleet = new Set<string>();

  constructor(
    fleet: Fleet,
    private readonly faults: Faults,
  ) {
    this.setFleet(fleet);
  }

  setFleet(fleet: Fleet): void {
    this.fleet = fleet;
    this.clustersById.clear();
    this.clustersBySubscription.clear();
    this.subscriptions = new Set(fleet.subscriptions.map((s) => s.subscriptionId.toLowerCase()));
    this.forbiddenByFleet = new Set((fleet.forbiddenSubscriptions ?? []).map((s) => s.toLowerCase()));
    for (const c of fleet.clusters) {
      this.clustersById.set(c.id.toLowerCase(), c);
      const sub = /^\/subscriptions\/([^/]+)/i.exec(c.id)?.[1].toLowerCase() ?? '';
      let list = this.clustersBySubscription.get(sub);
      if (!list) this.clustersBySubscription.set(sub, (list = []));
      list.push(c);
    }
  }

  /** 404 / 403 for a subscription the caller cannot use at this endpoint; undefined when it is fine. */
  private checkSubscription(
    endpoint: EndpointName,
    req: SimRequest,
    sub: string,
    action: string,
  ): SimResponse | undefined {
    if (!this.subscriptions.has(sub.toLowerCase())) {
      return armError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
    }
    if (this.forbiddenByFleet.has(sub.toLowerCase()) || this.faults.forbiddenSubscription(endpoint, sub)) {
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${req.claims?.appid ?? ''}' with object id '${req.claims?.oid ?? ''}' does not have authorization to perform action '${action}' over scope '/subscriptions/${sub}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    return undefined;
  }

  private catalog(location: string): KubernetesVersionWire[] | undefined {
    return this.fleet.kubernetesVersions[normaliseLocation(location)]?.values;
  }

  kubernetesVersions(req: SimRequest, sub: string, location: string): SimResponse {
    const refused = this.checkSubscription(
      'kubernetesVersions',
      req,
      sub,
      `${PROVIDER}/locations/kubernetesVersions/read`,
    );
    if (refused) return refused;
    const values = this.catalog(location);
    if (!values) {
      return armError(
        404,
        'NotFound',
        `The location '${location}' is not available for resource type '${PROVIDER}/locations/kubernetesVersions'.`,
      );
    }
    return json(200, { values });
  }

  listClusters(req: SimRequest, sub: string, resourceGroup?: string): SimResponse {
    const refused = this.checkSubscription('managedClusters', req, sub, `${PROVIDER}/managedClusters/read`);
    if (refused) return refused;
    let list = this.clustersBySubscription.get(sub.toLowerCase()) ?? [];
    if (resourceGroup) {
      const prefix = `/subscriptions/${sub}/resourcegroups/${resourceGroup}/`.toLowerCase();
      list = list.filter((c) => c.id.toLowerCase().startsWith(prefix));
    }
    return json(200, { value: list });
  }

  private findCluster(
    endpoint: EndpointName,
    req: SimRequest,
    sub: string,
    rg: string,
    name: string,
  ): { cluster: ArmManagedCluster } | { refused: SimResponse } {
    const refused = this.checkSubscription(endpoint, req, sub, `${PROVIDER}/managedClusters/read`);
    if (refused) return { refused };
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${PROVIDER}/managedClusters/${name}`;
    const cluster = this.clustersById.get(id.toLowerCase());
    if (!cluster) {
      return {
        refused: armError(
          404,
          'ResourceNotFound',
          `The Resource '${PROVIDER}/managedClusters/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        ),
      };
    }
    return { cluster };
  }

  /** `handler` with the cluster the path names, or the 403/404 the RP gives first. */
  withCluster(
    endpoint: EndpointName,
    req: SimRequest,
    sub: string,
    rg: string,
    name: string,
    handler: (cluster: ArmManagedCluster) => SimResponse,
  ): SimResponse {
    const found = this.findCluster(endpoint, req, sub, rg, name);
    return 'refused' in found ? found.refused : handler(found.cluster);
  }

  getCluster(req: SimRequest, sub: string, rg: string, name: string): SimResponse {
    const found = this.findCluster('managedClusters', req, sub, rg, name);
    return 'refused' in found ? found.refused : json(200, found.cluster);
  }

  /** Upgrades offered from a version: the catalog's list when it has the patch, else every newer patch up to minor+1. */
  private upgrades(location: string, version: string): { kubernetesVersion: string; isPreview?: boolean }[] {
    const values = this.catalog(location) ?? [];
    const previewOf = new Map<string, boolean>();
    for (const entry of values) {
      for (const patch of Object.keys(entry.patchVersions ?? {})) previewOf.set(patch, !!entry.isPreview);
    }
    let targets: string[] | undefined;
    for (const entry of values) {
      const listed = entry.patchVersions?.[version];
      if (listed) targets = listed.upgrades ?? [];
    }
    if (!targets) {
      const [major, minor] = versionParts(version);
      targets = [...previewOf.keys()].filter((p) => {
        const [pm, pn] = versionParts(p);
        return compareVersions(p, version) > 0 && pm === major && pn <= minor + 1;
      });
    }
    return [...targets]
      .sort(compareVersions)
      .map((v) => (previewOf.get(v) ? { kubernetesVersion: v, isPreview: true } : { kubernetesVersion: v }));
  }

  private poolVersion(cluster: ArmManagedCluster, pool: Record<string, unknown>): string {
    const p = cluster.properties;
    return String(
      pool.currentOrchestratorVersion ??
        pool.orchestratorVersion ??
        p.currentKubernetesVersion ??
        p.kubernetesVersion ??
        '',
    );
  }

  clusterUpgradeProfile(req: SimRequest, sub: string, rg: string, name: string): SimResponse {
    const found = this.findCluster('upgradeProfiles', req, sub, rg, name);
    if ('refused' in found) return found.refused;
    const c = found.cluster;
    const version = String(c.properties.currentKubernetesVersion ?? c.properties.kubernetesVersion ?? '');
    const pools = Array.isArray(c.properties.agentPoolProfiles) ? c.properties.agentPoolProfiles.map(record) : [];
    return json(200, {
      id: `${c.id}/upgradeprofiles/default`,
      name: 'default',
      type: `${PROVIDER}/managedClusters/upgradeprofiles`,
      properties: {
        controlPlaneProfile: {
          kubernetesVersion: version,
          name: 'master',
          osType: 'Linux',
          upgrades: this.upgrades(c.location, version),
        },
        agentPoolProfiles: pools.map((pool) => {
          const v = this.poolVersion(c, pool);
          return {
            kubernetesVersion: v,
            name: String(pool.name ?? ''),
            osType: String(pool.osType ?? 'Linux'),
            upgrades: this.upgrades(c.location, v),
          };
        }),
      },
    });
  }

  agentPoolUpgradeProfile(req: SimRequest, sub: string, rg: string, name: string, poolName: string): SimResponse {
    const found = this.findCluster('upgradeProfiles', req, sub, rg, name);
    if ('refused' in found) return found.refused;
    const c = found.cluster;
    const pools = Array.isArray(c.properties.agentPoolProfiles) ? c.properties.agentPoolProfiles.map(record) : [];
    const pool = pools.find((p) => String(p.name).toLowerCase() === poolName.toLowerCase());
    if (!pool) {
      return armError(
        404,
        'NotFound',
        `Agent pool '${poolName}' was not found in managed cluster '${name}' (resource group '${rg}').`,
      );
    }
    const v = this.poolVersion(c, pool);
    const properties: Record<string, unknown> = {
      kubernetesVersion: v,
      osType: String(pool.osType ?? 'Linux'),
      upgrades: this.upgrades(c.location, v),
    };
    properties.latestNodeImageVersion = this.latestNodeImage(
      c.location,
      typeof pool.nodeImageVersion === 'string' ? pool.nodeImageVersion : '',
      String(pool.osType ?? 'Linux'),
    );
    return json(200, {
      id: `${c.id}/agentPools/${String(pool.name)}/upgradeprofiles/default`,
      name: 'default',
      type: `${PROVIDER}/managedClusters/agentPools/upgradeProfiles`,
      properties,
    });
  }

  /**
   * `latestNodeImageVersions` keys: `location/prefix`, `location:prefix` or `prefix` (prefix = the image name without
   * its version, e.g. `AKSUbuntu-2204gen2containerd`). Without an entry, the pool's own image counts as the latest.
   */
  private latestNodeImage(location: string, current: string, osType: string): string {
    const prefix = current.replace(/-[^-]*$/, '');
    const table = this.fleet.latestNodeImageVersions ?? {};
    const loc = normaliseLocation(location);
    const lower = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
    if (prefix) {
      for (const key of [`${loc}/${prefix}`, `${loc}:${prefix}`, prefix]) {
        const hit = lower.get(key.toLowerCase());
        if (hit) return hit;
      }
      return current;
    }
    // A pool that does not say its image (older API versions): the region's newest image of its OS family.
    const windows = osType.toLowerCase() === 'windows';
    for (const [key, value] of lower) {
      if (key.startsWith(`${loc}/`) && key.includes('windows') === windows) return value;
    }
    return windows ? 'AKSWindows-2022-containerd-20348.2966.241112' : 'AKSUbuntu-2204gen2containerd-202411.12.0';
  }
}

// `az aks get-upgrades -o json` (or the ARM upgradeProfiles/default response) as the `--versions` source for one
// cluster: its current version and the versions it can move to stand in for the region's catalog, for that cluster
// only. The CLI prints the same names as the wire, with `properties` lifted to the top level.
import {
  normaliseId,
  normaliseLocation,
  type ClusterRecord,
  type KubernetesVersionWire,
  type RegionCatalog,
} from '../model';
import { InputError } from './inputs';

const PROFILE_ID =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+)\/upgradeprofiles\/default$/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The control plane profile of an upgrade profile in either form, or undefined when the JSON is not one. */
function controlPlane(json: unknown): Record<string, unknown> | undefined {
  if (!isObject(json)) return undefined;
  const profile = isObject(json.properties) ? json.properties.controlPlaneProfile : json.controlPlaneProfile;
  return isObject(profile) ? profile : undefined;
}

export function isUpgradeProfile(json: unknown): boolean {
  return controlPlane(json) !== undefined;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

function clusterVersion(cluster: ClusterRecord): string | undefined {
  for (const field of ['currentKubernetesVersion', 'kubernetesVersion']) {
    const value = cluster.properties[field];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/**
 * Catalogs from an upgrade profile: for the profile's cluster's region, the listed versions grouped by minor and
 * marked as coming from that cluster's profile (the rules use them for that cluster only); every other region of the
 * clusters file gets an unreadable catalog that says why.
 */
export function upgradeProfileCatalogs(
  json: unknown,
  file: string,
  clusters: ClusterRecord[],
): Map<string, RegionCatalog> {
  const profile = controlPlane(json)!;
  const id = isObject(json) && typeof json.id === 'string' ? json.id : '';
  const clusterId = PROFILE_ID.exec(id.trim())?.[1];
  if (!clusterId) {
    throw new InputError(
      file,
      `"id" is not a managed cluster's upgradeProfiles/default ID: ${JSON.stringify(id.slice(0, 200))}`,
    );
  }
  const cluster = clusters.find((c) => normaliseId(c.id) === normaliseId(clusterId));
  if (!cluster) throw new InputError(file, `is the upgrade profile of ${clusterId}, which is not in the clusters file`);

  const current = typeof profile.kubernetesVersion === 'string' ? profile.kubernetesVersion.trim() : '';
  if (!VERSION.test(current)) {
    throw new InputError(file, 'controlPlaneProfile.kubernetesVersion must be a full version such as "1.33.2"');
  }
  const upgrades = profile.upgrades ?? [];
  if (!Array.isArray(upgrades)) throw new InputError(file, 'controlPlaneProfile.upgrades must be an array');
  const listed: { version: string; preview: boolean }[] = [{ version: current, preview: false }];
  upgrades.forEach((upgrade, i) => {
    const version =
      isObject(upgrade) && typeof upgrade.kubernetesVersion === 'string' ? upgrade.kubernetesVersion.trim() : '';
    if (!VERSION.test(version)) {
      throw new InputError(
        file,
        `controlPlaneProfile.upgrades[${i}].kubernetesVersion must be a full version such as "1.33.2"`,
      );
    }
    listed.push({ version, preview: isObject(upgrade) && upgrade.isPreview === true });
  });

  const location = normaliseLocation(cluster.location);
  const catalogs = new Map<string, RegionCatalog>();
  const running = clusterVersion(cluster);
  if (running !== current) {
    // An export of another moment: its list of newer patches would judge the wrong version.
    catalogs.set(location, {
      readable: false,
      location,
      reason:
        `the upgrade profile in ${file} is for Kubernetes ${current}, but the cluster runs ${running ?? 'no readable version'}: ` +
        'export both at the same time',
    });
  } else {
    const byMinor = new Map<string, { preview: boolean[]; patches: Record<string, { upgrades: string[] }> }>();
    for (const { version, preview } of listed) {
      const [, major, minor] = VERSION.exec(version)!;
      const key = `${major}.${minor}`;
      const entry = byMinor.get(key) ?? { preview: [], patches: {} };
      entry.preview.push(preview);
      entry.patches[version] = { upgrades: [] };
      byMinor.set(key, entry);
    }
    const values: KubernetesVersionWire[] = [...byMinor].map(([version, entry]) => ({
      version,
      // The running minor is GA as far as this profile says; another minor is preview when all its listed patches are.
      isPreview: entry.preview.every(Boolean),
      patchVersions: entry.patches,
    }));
    catalogs.set(location, { readable: true, location, values, upgradeProfileOf: cluster.id });
  }
  for (const other of clusters) {
    const where = normaliseLocation(other.location);
    if (!catalogs.has(where)) {
      catalogs.set(where, {
        readable: false,
        location: where,
        reason: `the versions file ${file} is the upgrade profile of ${cluster.name} (${location}), not a catalog of ${where}`,
      });
    }
  }
  return catalogs;
}

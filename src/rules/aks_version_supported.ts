import {
  findMinor,
  formatVersion,
  isPlatformSupportMinor,
  minorKey,
  oldestSupportedTarget,
  compareMinor,
} from '../catalog/support';
import type { ClusterRecord, RuleContext, RuleOutcome } from '../model';
import { applyOutOfSupportNotice } from './notifications';
import {
  clusterArgs,
  clusterOnLtsPlan,
  learn,
  locationOf,
  OutcomeMemo,
  readCatalog,
  readClusterVersion,
  unknown,
  type DocumentedRule,
} from './common';

export const aksVersionSupported: DocumentedRule = {
  id: 'aks_version_supported',
  title: 'Cluster runs a supported Kubernetes minor version',
  severity: 'critical',
  section: 'version-upgrades',
  rationale:
    'AKS supports three GA minor versions (N to N-2). One minor older gets platform support only, without ' +
    'Kubernetes security patches; anything older gets no support at all. Preview versions carry no support ' +
    'agreement. Long Term Support extends a minor by a year on the Premium tier.',
  evaluation:
    "The cluster minor (`currentKubernetesVersion`, falling back to `kubernetesVersion`) is looked up in the region's " +
    '`listKubernetesVersions` catalog, comparing versions as numbers (1.9 is older than 1.34). Pass: the minor is a GA ' +
    'entry whose `capabilities.supportPlan` lists `KubernetesOfficial` (a GA entry with no `capabilities` at all, as ' +
    'older API versions answer, counts as official); or the cluster has `sku.tier` Premium and `supportPlan` ' +
    '`AKSLongTermSupport` and the minor lists `AKSLongTermSupport`. Fail high: the minor is exactly one below the ' +
    'oldest officially supported GA minor (platform support). Fail medium: the catalog lists the minor only as ' +
    'preview. Fail critical: any other minor (older, or unknown to the catalog). Unknown: no readable catalog for ' +
    "the region, no readable cluster version, or only the cluster's upgrade profile (`az aks get-upgrades`), which " +
    'does not say which minors are supported.',
  references: [learn('supported-kubernetes-versions'), learn('long-term-support'), learn('upgrade-aks-cluster')],
  remediation(cluster, outcome) {
    const target = typeof outcome.details?.upgradeTarget === 'string' ? outcome.details.upgradeTarget : undefined;
    if (target) return `az aks upgrade ${clusterArgs(cluster)} --kubernetes-version ${target}`;
    return `az aks get-upgrades ${clusterArgs(cluster)} --output table`;
  },
  evaluate(cluster, ctx): RuleOutcome {
    return applyOutOfSupportNotice(cluster, judgeShared(cluster, ctx));
  },
};

const memo = new OutcomeMemo();

// Clusters of one region on the same version and plan get the same verdict: judged once per context. An upgrade
// profile answers for one cluster only, so it is judged per cluster.
function judgeShared(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome {
  const version = readClusterVersion(cluster);
  if (!version.ok) return version.outcome;
  const location = locationOf(cluster);
  const catalog = ctx.catalogs.get(location);
  if (!catalog?.readable || catalog.upgradeProfileOf) return judge(cluster, ctx);
  return memo.get(ctx, [version.value, location, clusterOnLtsPlan(cluster)], () => judge(cluster, ctx));
}

function judge(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome {
  const version = readClusterVersion(cluster);
  if (!version.ok) return version.outcome;
  const catalogRead = readCatalog(cluster, ctx);
  if (!catalogRead.ok) return catalogRead.outcome;
  const facts = catalogRead.value;
  const catalog = ctx.catalogs.get(locationOf(cluster));
  if (catalog?.readable && catalog.upgradeProfileOf) {
    return unknown(
      `The versions given for ${facts.location} are this cluster's upgrade profile (az aks get-upgrades): it lists ` +
        'the versions the cluster can move to, not which minors AKS supports. Pass the region catalog ' +
        `(az aks get-versions -l ${facts.location} -o json) as --versions to judge support.`,
      { location: facts.location, clusterVersion: version.value.text, upgradeProfileOf: catalog.upgradeProfileOf },
    );
  }
  const v = version.value.version;
  const minor = minorKey(v);
  const entry = findMinor(facts, v);
  const oldest = facts.oldestOfficialGaMinor ? minorKey(facts.oldestOfficialGaMinor) : undefined;
  const newest = facts.newestOfficialGaMinor ? minorKey(facts.newestOfficialGaMinor) : undefined;
  const target = oldestSupportedTarget(facts);
  const details: Record<string, unknown> = {
    clusterVersion: version.value.text,
    minor,
    location: facts.location,
    oldestSupportedMinor: oldest ?? null,
    newestSupportedMinor: newest ?? null,
    catalogEntry: entry ? { preview: entry.preview, supportPlans: entry.supportPlans } : null,
  };
  const window = oldest && newest ? ` (supported in ${facts.location}: ${oldest} to ${newest})` : '';
  const lts = clusterOnLtsPlan(cluster);
  details.ltsPlan = lts;

  if (lts && entry?.ltsCapable) {
    return {
      status: 'pass',
      message: `Kubernetes ${version.value.text} is covered by Long Term Support (Premium tier, AKSLongTermSupport plan).`,
      details: { ...details, supportedBy: 'AKSLongTermSupport' },
    };
  }
  if (entry && entry.official) {
    return {
      status: 'pass',
      message: `Kubernetes ${version.value.text} is an officially supported GA minor${window}.`,
      details: { ...details, supportedBy: 'KubernetesOfficial' },
    };
  }
  const upgrade = target && compareMinor(target, v) > 0 ? formatVersion(target) : undefined;
  if (isPlatformSupportMinor(facts, v)) {
    return {
      status: 'fail',
      severity: 'high',
      message:
        `Kubernetes ${version.value.text} is on platform support only (one minor below the oldest supported ${oldest}): ` +
        `no Kubernetes security patches${upgrade ? `; upgrade to ${upgrade}` : ''}.`,
      details: { ...details, supportedBy: 'platformSupport', upgradeTarget: upgrade ?? null },
    };
  }
  if (entry && entry.preview) {
    return {
      status: 'fail',
      severity: 'medium',
      message: `Kubernetes ${minor} is listed only as a preview version in ${facts.location}: preview versions have no support agreement.`,
      details: { ...details, supportedBy: 'preview', upgradeTarget: null },
    };
  }
  const newerThanCatalog = facts.newestOfficialGaMinor && compareMinor(v, facts.newestOfficialGaMinor) > 0;
  const why = entry
    ? `is listed in ${facts.location} without official support (plans: ${entry.supportPlans.join(', ') || 'none'})`
    : newerThanCatalog
      ? `is not in the version catalog of ${facts.location}`
      : `is out of support${window}`;
  const ltsNote = lts ? ' The cluster is on the LTS plan, but the catalog does not offer LTS for this minor.' : '';
  return {
    status: 'fail',
    severity: 'critical',
    message: `Kubernetes ${version.value.text} ${why}${upgrade && !newerThanCatalog ? `; upgrade to ${upgrade}` : ''}.${ltsNote}`,
    details: { ...details, supportedBy: null, upgradeTarget: newerThanCatalog ? null : (upgrade ?? null) },
  };
}

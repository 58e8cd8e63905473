import { compareVersion, findMinor, formatVersion, minorKey, patchesBehind } from '../catalog/support';
import type { ClusterRecord, RuleContext, RuleOutcome } from '../model';
import { withNotifications } from './notifications';
import {
  clusterArgs,
  learn,
  locationOf,
  OutcomeMemo,
  plural,
  readCatalog,
  readClusterVersion,
  unknown,
  type DocumentedRule,
} from './common';

export const aksVersionPatchCurrent: DocumentedRule = {
  id: 'aks_version_patch_current',
  title: 'Cluster runs the newest patch of its Kubernetes minor',
  severity: 'medium',
  section: 'version-upgrades',
  rationale:
    'Kubernetes patch releases fix security vulnerabilities and major bugs; AKS supports only recent patches of ' +
    'each minor, so upgrading to the newest patch regularly keeps the cluster secure and supported.',
  evaluation:
    "The full cluster version is compared, as numbers, with the newest patch the region's catalog lists for the " +
    'minor (preview entries included). Pass: equal (or newer). Fail medium: older; the message names the newest ' +
    'patch and how many listed patches the cluster is behind. Not applicable: the catalog does not list the minor ' +
    '(the supported-version rule reports that). Unknown: no readable catalog, no readable version, a version without ' +
    'a patch number, or a minor with no listed patches.',
  references: [learn('upgrade-aks-cluster'), learn('supported-kubernetes-versions'), learn('auto-upgrade-cluster')],
  remediation(cluster, outcome) {
    const target = typeof outcome.details?.newestPatch === 'string' ? outcome.details.newestPatch : undefined;
    if (target) return `az aks upgrade ${clusterArgs(cluster)} --kubernetes-version ${target}`;
    return `az aks get-upgrades ${clusterArgs(cluster)} --output table`;
  },
  evaluate(cluster, ctx): RuleOutcome {
    return withNotifications(cluster, judgeShared(cluster, ctx));
  },
};

const memo = new OutcomeMemo();

// Clusters of one region on the same version get the same verdict: judged once per context (an upgrade profile,
// which answers for one cluster only, per cluster).
function judgeShared(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome {
  const version = readClusterVersion(cluster);
  if (!version.ok) return version.outcome;
  const location = locationOf(cluster);
  const catalog = ctx.catalogs.get(location);
  if (!catalog?.readable || catalog.upgradeProfileOf) return judge(cluster, ctx);
  return memo.get(ctx, [version.value, location], () => judge(cluster, ctx));
}

function judge(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome {
  const version = readClusterVersion(cluster);
  if (!version.ok) return version.outcome;
  const catalogRead = readCatalog(cluster, ctx);
  if (!catalogRead.ok) return catalogRead.outcome;
  const facts = catalogRead.value;
  const v = version.value.version;
  const minor = minorKey(v);
  const entry = findMinor(facts, v);
  if (!entry) {
    return {
      status: 'not_applicable',
      message: `Kubernetes ${minor} is not in the version catalog of ${facts.location}, so it has no patch to compare with.`,
      details: { clusterVersion: version.value.text, minor, location: facts.location },
    };
  }
  if (v.patch === undefined) {
    return unknown(
      `properties.${version.value.field} is "${version.value.text}", which has no patch number to compare.`,
      { field: `properties.${version.value.field}`, clusterVersion: version.value.text },
    );
  }
  const newest = entry.patches[entry.patches.length - 1];
  if (!newest) {
    return unknown(`The version catalog of ${facts.location} lists no patches for Kubernetes ${minor}.`, {
      clusterVersion: version.value.text,
      minor,
      location: facts.location,
    });
  }
  const current = { major: v.major, minor: v.minor, patch: v.patch };
  const behind = patchesBehind(facts, current);
  const details = {
    clusterVersion: version.value.text,
    newestPatch: formatVersion(newest),
    patchesBehind: behind,
    location: facts.location,
  };
  if (compareVersion(current, newest) >= 0) {
    return {
      status: 'pass',
      message: `Kubernetes ${version.value.text} is the newest patch of ${minor} in ${facts.location}.`,
      details,
    };
  }
  return {
    status: 'fail',
    severity: 'medium',
    message:
      `Kubernetes ${version.value.text} is ${plural(behind, 'patch', 'patches')} behind the newest ` +
      `${minor} patch ${formatVersion(newest)} in ${facts.location}.`,
    details,
  };
}

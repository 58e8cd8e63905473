import { endOfSupport } from '../catalog/calendar';
import { catalogFacts, formatVersion, minorKey, upgradeTarget } from '../catalog/support';
import type { ClusterRecord, RuleContext, RuleOutcome } from '../model';
import { withNotifications } from './notifications';
import {
  clusterArgs,
  clusterOnLtsPlan,
  DAY_MS,
  learn,
  locationOf,
  OutcomeMemo,
  plural,
  readClusterVersion,
  unknown,
  type DocumentedRule,
} from './common';

// A handful of distinct end-of-support dates occur across a fleet.
const isoDays = new Map<number, string>();

function isoDay(date: Date): string {
  const time = date.getTime();
  let day = isoDays.get(time);
  if (day === undefined) {
    day = date.toISOString().slice(0, 10);
    if (isoDays.size >= 10_000) isoDays.clear();
    isoDays.set(time, day);
  }
  return day;
}

export const aksVersionEndOfSupportHorizon: DocumentedRule = {
  id: 'aks_version_end_of_support_horizon',
  title: 'Cluster minor stays supported beyond the warning window',
  severity: 'medium',
  section: 'version-upgrades',
  rationale:
    'A minor version upgrade needs planning and testing. Knowing ahead that a minor reaches end of support leaves ' +
    'time to upgrade before the cluster loses security patches and support.',
  evaluation:
    'The end of support of the cluster minor comes from the shipped support calendar (or the file named by ' +
    '`AKS_COMPLIANCE_SUPPORT_CALENDAR`); a `YYYY-MM` date means the last day of that month (UTC). The LTS date ' +
    'applies when the cluster has `sku.tier` Premium and `supportPlan` `AKSLongTermSupport` and the calendar gives ' +
    'an LTS date for the minor. Pass: end of support is more than `AKS_COMPLIANCE_EOL_WARNING_DAYS` (default 60) ' +
    'days after the as-of date. Fail medium: within the window, or already past. Unknown: the minor is not in the ' +
    'calendar, or the cluster version cannot be read.',
  references: [
    learn('supported-kubernetes-versions#aks-kubernetes-release-calendar'),
    learn('long-term-support'),
    learn('upgrade-aks-cluster'),
  ],
  remediation(cluster, outcome) {
    const target = typeof outcome.details?.upgradeTarget === 'string' ? outcome.details.upgradeTarget : undefined;
    if (target) return `az aks upgrade ${clusterArgs(cluster)} --kubernetes-version ${target}`;
    return `az aks get-upgrades ${clusterArgs(cluster)} --output table`;
  },
  evaluate(cluster, ctx): RuleOutcome {
    return withNotifications(cluster, judgeShared(cluster, ctx));
  },
};

const memo = new OutcomeMemo();

// Clusters of one region on the same version and plan get the same verdict: judged once per context.
function judgeShared(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome {
  const version = readClusterVersion(cluster);
  if (!version.ok) return version.outcome;
  const keys = [version.value, locationOf(cluster), clusterOnLtsPlan(cluster)];
  return memo.get(ctx, keys, () => judge(cluster, ctx));
}

function judge(cluster: ClusterRecord, ctx: RuleContext): RuleOutcome {
  const version = readClusterVersion(cluster);
  if (!version.ok) return version.outcome;
  const v = version.value.version;
  const minor = minorKey(v);
  const ltsPlan = clusterOnLtsPlan(cluster);
  const eos = endOfSupport(ctx.calendar, v, ltsPlan);
  if (!eos) {
    return unknown(
      `Kubernetes ${minor} is not in the support calendar (${ctx.calendar.retrieved ? `retrieved ${ctx.calendar.retrieved}` : ctx.calendar.source}), so its end of support is not known.`,
      { clusterVersion: version.value.text, minor },
    );
  }
  const remainingMs = eos.date.getTime() - ctx.asOf.getTime();
  const daysLeft = Math.floor(remainingMs / DAY_MS);
  const catalog = ctx.catalogs.get(locationOf(cluster));
  const target = catalog?.readable ? upgradeTarget(catalogFacts(catalog), v) : undefined;
  const details = {
    clusterVersion: version.value.text,
    minor,
    endOfSupport: isoDay(eos.date),
    lts: eos.lts,
    estimated: eos.estimated,
    daysLeft,
    warningDays: ctx.eolWarningDays,
    upgradeTarget: target && formatVersion(target) !== version.value.text ? formatVersion(target) : null,
  };
  const kind = eos.lts ? 'Long Term Support' : 'support';
  const estimated = eos.estimated ? ' (estimated date)' : '';
  if (remainingMs > ctx.eolWarningDays * DAY_MS) {
    return {
      status: 'pass',
      message: `Kubernetes ${minor} ${kind} ends on ${isoDay(eos.date)}${estimated}, ${plural(daysLeft, 'day')} from now.`,
      details,
    };
  }
  const when =
    remainingMs < 0
      ? `ended on ${isoDay(eos.date)}${estimated}, ${plural(Math.ceil(-remainingMs / DAY_MS), 'day')} ago`
      : `ends on ${isoDay(eos.date)}${estimated}, in ${plural(daysLeft, 'day')} (warning window ${ctx.eolWarningDays} days)`;
  return {
    status: 'fail',
    severity: 'medium',
    message: `Kubernetes ${minor} ${kind} ${when}: plan the upgrade${details.upgradeTarget ? ` to ${details.upgradeTarget}` : ''}.`,
    details,
  };
}

// Role assignments whose principal was deleted from the directory are dead weight and hide real grants.
import type { ClusterRecord, RoleAssignmentRecord, RuleOutcome } from '../model';
import {
  accessOf,
  coveringAssignments,
  groupParts,
  mergeMaps,
  summariseParts,
  principalDetails,
  omitted,
  deleteListedAssignments,
  quoteClusterId,
} from '../identity/ruleSupport';
import { isDirectoryPrincipalType } from '../identity/roleAssignments';
import { learn, OutcomeMemo, plural, type DocumentedRule } from './common';

const passes = new OutcomeMemo();

// The empty findings of a covering list, shared (never written to: a summary replaces them before adding).
const NONE: RoleAssignmentRecord[] = [];
const NO_IDS = new Map<string, string>();
const NO_TYPES = new Map<string, number>();

export const aksRbacNoOrphanedAssignments: DocumentedRule = {
  id: 'aks_rbac_no_orphaned_assignments',
  title: 'Every cluster access role assignment belongs to a principal that exists',
  severity: 'low',
  section: 'identity-and-access',
  rationale:
    'Assignments left behind by deleted users, groups or service principals ("Identity not found") clutter access ' +
    'reviews and count against the subscription role assignment limit; removing them keeps the grant list honest.',
  references: [
    'https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits',
    'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-remove',
    learn('operator-best-practices-identity'),
  ],
  evaluation:
    'Looks up the principal of every AKS-access role assignment covering the cluster in Microsoft Graph ' +
    '(directoryObjects/getByIds). Fails when any no longer exists. Unknown when the assignments or the directory ' +
    'could not be read. Only principals of type User, Group and ServicePrincipal are looked up: an assignment to a ' +
    'ForeignGroup (a group of another tenant), a Device or a type ARM adds later is never called orphaned; it is ' +
    'named as not checked, and a cluster covered only by such assignments is not applicable.',
  evaluate(cluster, ctx): RuleOutcome {
    const a = accessOf(ctx, cluster);
    if (!a.ok) return a.outcome;
    const covering = coveringAssignments(a.access, cluster);
    if (!covering.ok) return covering.outcome;
    // Per covering list (shared by many clusters): assignments of deleted principals and principals not looked up.
    type Summary = {
      orphaned: RoleAssignmentRecord[];
      unreadable: Map<string, string>;
      /** Assignments to principals this directory does not hold, by principal type. */
      notChecked: Map<string, number>;
    };
    const summaries = summariseParts<Summary>(
      a.access,
      covering.parts,
      'orphans',
      (part) => {
        // Most lists have nothing to report: they share the empty ones, made only when something is found.
        const summary: Summary = { orphaned: NONE, unreadable: NO_IDS, notChecked: NO_TYPES };
        for (const x of part) {
          if (!isDirectoryPrincipalType(x.principalType)) {
            if (summary.notChecked === NO_TYPES) summary.notChecked = new Map();
            summary.notChecked.set(x.principalType, (summary.notChecked.get(x.principalType) ?? 0) + 1);
            continue;
          }
          const l = a.access.principal(x.principalId);
          if (l.state === 'absent') {
            if (summary.orphaned === NONE) summary.orphaned = [];
            summary.orphaned.push(x);
          } else if (l.state === 'unreadable') {
            if (summary.unreadable === NO_IDS) summary.unreadable = new Map();
            summary.unreadable.set(x.principalId, l.reason);
          }
        }
        return summary;
      },
      covering.ownParts,
    );
    let orphanedCount = 0;
    let anyUnreadable = false;
    for (const s of summaries) {
      orphanedCount += s.orphaned.length;
      if (s.unreadable.size > 0) anyUnreadable = true;
    }
    const unreadable = anyUnreadable ? [...mergeMaps(summaries.map((s) => s.unreadable))] : [];
    let notChecked = NO_TYPES;
    for (const s of summaries) {
      if (s.notChecked === NO_TYPES) continue;
      if (notChecked === NO_TYPES) notChecked = new Map();
      for (const [type, n] of s.notChecked) notChecked.set(type, (notChecked.get(type) ?? 0) + n);
    }
    let notCheckedCount = 0;
    for (const n of notChecked.values()) notCheckedCount += n;
    const notCheckedText =
      notCheckedCount === 0
        ? ''
        : [...notChecked]
            .map(([type, n]) => `${plural(n, 'assignment')} to a principal of type ${type || '(none)'}`)
            .join(', ');
    const notCheckedDetails = notCheckedCount > 0 ? { notChecked: Object.fromEntries(notChecked) } : {};
    if (orphanedCount > 0) {
      const entries = groupParts(
        a.access,
        summaries.map((s) => s.orphaned),
        covering.ownParts,
      );
      return {
        status: 'fail',
        severity: 'low',
        message:
          `${plural(orphanedCount, 'role assignment belongs', 'role assignments belong')} to ` +
          `${plural(entries.length, 'principal that no longer exists', 'principals that no longer exist')}: ` +
          entries
            .slice(0, 10)
            .map((e) => `${e.principalId} (${e.roles.join(', ')})`)
            .join('; ') +
          (entries.length > 10 ? `; and ${entries.length - 10} more` : ''),
        details: {
          orphanedAssignments: orphanedCount,
          principals: principalDetails(entries),
          ...omitted(entries),
          ...(unreadable.length ? { unreadable: unreadable.length } : {}),
          ...notCheckedDetails,
        },
      };
    }
    if (unreadable.length > 0) {
      const reason = unreadable[0][1];
      return {
        status: 'unknown',
        message: `${plural(unreadable.length, 'principal')} of the role assignments could not be looked up: ${reason}`,
        details: { unreadable: unreadable.map(([id]) => id), reason, ...notCheckedDetails },
      };
    }
    if (covering.count > 0 && notCheckedCount === covering.count) {
      return {
        status: 'not_applicable',
        message: `The only AKS-access role assignments covering the cluster are to principals outside this directory, which are not checked: ${notCheckedText}`,
        details: { assignments: covering.count, ...notCheckedDetails },
      };
    }
    const checked = covering.count - notCheckedCount;
    // Without assignments outside the directory a pass says only how many cover the cluster: one outcome per count.
    if (notCheckedCount === 0) {
      return passes.get(ctx, [covering.count], () => ({
        status: 'pass',
        message:
          covering.count === 0
            ? 'No AKS-access role assignment covers the cluster'
            : `All ${plural(checked, 'AKS-access role assignment')} to directory principals covering the cluster belong to existing principals`,
        details: { assignments: covering.count },
      }));
    }
    return {
      status: 'pass',
      message:
        covering.count === 0
          ? 'No AKS-access role assignment covers the cluster'
          : `All ${plural(checked, 'AKS-access role assignment')} to directory principals covering the cluster belong to existing principals` +
            (notCheckedCount > 0 ? `; not checked (outside this directory): ${notCheckedText}` : ''),
      details: { assignments: covering.count, ...notCheckedDetails },
    };
  },
  remediation(cluster: ClusterRecord, outcome: RuleOutcome): string {
    const command =
      outcome.status === 'fail'
        ? deleteListedAssignments(outcome.details?.principals, outcome.details?.orphanedAssignments)
        : undefined;
    return command ?? `az role assignment list --scope ${quoteClusterId(cluster)} --include-inherited -o table`;
  },
};

export default aksRbacNoOrphanedAssignments;

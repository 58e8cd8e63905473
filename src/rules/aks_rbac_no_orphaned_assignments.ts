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
import { learn, plural, type DocumentedRule } from './common';

/** Principal types that live outside this tenant's directory, so getByIds cannot find them. */
const NOT_IN_DIRECTORY = new Set(['foreigngroup']);

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
    'could not be read. Foreign-group principals (from another tenant) are not looked up.',
  evaluate(cluster, ctx): RuleOutcome {
    const a = accessOf(ctx);
    if (!a.ok) return a.outcome;
    const covering = coveringAssignments(a.access, cluster);
    if (!covering.ok) return covering.outcome;
    // Per covering list (shared by many clusters): assignments of deleted principals and principals not looked up.
    type Summary = { orphaned: RoleAssignmentRecord[]; unreadable: Map<string, string> };
    const summaries = summariseParts<Summary>(a.access, covering.parts, 'orphans', (part) => {
      const summary: Summary = { orphaned: [], unreadable: new Map() };
      for (const x of part) {
        if (NOT_IN_DIRECTORY.has(x.principalType.toLowerCase())) continue;
        const l = a.access.principal(x.principalId);
        if (l.state === 'absent') summary.orphaned.push(x);
        else if (l.state === 'unreadable') summary.unreadable.set(x.principalId, l.reason);
      }
      return summary;
    });
    let orphanedCount = 0;
    let anyUnreadable = false;
    for (const s of summaries) {
      orphanedCount += s.orphaned.length;
      if (s.unreadable.size > 0) anyUnreadable = true;
    }
    const unreadable = anyUnreadable ? [...mergeMaps(summaries.map((s) => s.unreadable))] : [];
    if (orphanedCount > 0) {
      const entries = groupParts(
        a.access,
        summaries.map((s) => s.orphaned),
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
        },
      };
    }
    if (unreadable.length > 0) {
      const reason = unreadable[0][1];
      return {
        status: 'unknown',
        message: `${plural(unreadable.length, 'principal')} of the role assignments could not be looked up: ${reason}`,
        details: { unreadable: unreadable.map(([id]) => id), reason },
      };
    }
    return {
      status: 'pass',
      message:
        covering.count === 0
          ? 'No AKS-access role assignment covers the cluster'
          : `All ${plural(covering.count, 'AKS-access role assignment')} covering the cluster belong to existing principals`,
      details: { assignments: covering.count },
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

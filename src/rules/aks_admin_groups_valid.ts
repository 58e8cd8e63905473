// The cluster admin groups configured in Entra ID integration must be real, security-enabled, non-empty groups.
import { severityRank, type AccessView, type ClusterRecord, type RuleOutcome, type Severity } from '../model';
import { adminGroupIdsOf } from '../identity/accessView';
import { accessOf, quote, strippedReason } from '../identity/ruleSupport';
import { clusterArgs, learn, OutcomeMemo, plural, type DocumentedRule } from './common';

interface GroupCheck {
  id: string;
  state: 'valid' | 'deleted' | 'not_a_group' | 'not_security_enabled' | 'empty' | 'unknown';
  severity?: Severity;
  displayName?: string;
  kind?: string;
  memberCount?: number;
  note?: string;
}

const KIND_WORDS: Record<string, string> = {
  user: 'a user',
  servicePrincipal: 'a service principal',
  other: 'not a group',
};

export const aksAdminGroupsValid: DocumentedRule = {
  id: 'aks_admin_groups_valid',
  title: 'Cluster admin groups exist, are security groups and have members',
  severity: 'high',
  section: 'identity-and-access',
  rationale:
    'The admin groups in aadProfile.adminGroupObjectIDs get cluster-admin on the cluster. A deleted group leaves no ' +
    'one able to administer the cluster through Entra ID (and its object ID cannot be reused safely); a user instead of ' +
    'a group binds cluster-admin to one person; an empty group means break-glass access does not work when needed.',
  references: [
    learn('managed-azure-ad'),
    learn('operator-best-practices-identity'),
    learn('enable-authentication-microsoft-entra-id'),
  ],
  evaluation:
    'Resolves every aadProfile.adminGroupObjectIDs entry through Microsoft Graph. Fails high when an ID no longer ' +
    'exists, medium when it is a user or service principal rather than a group or a group that is not ' +
    'security-enabled, low when the group has no transitive members; the finding takes the worst of these. ' +
    'Not applicable when no admin group is configured; unknown when the directory could not be read, or returned a ' +
    'group without securityEnabled (naming the missing Graph permission, Directory.Read.All). Offline, directory files carry no member counts, so the empty-group condition is ' +
    'not checked there.',
  evaluate(cluster, ctx): RuleOutcome {
    const ids = adminGroupIdsOf(cluster);
    if (ids === undefined) {
      return {
        status: 'unknown',
        message: 'properties.aadProfile.adminGroupObjectIDs is not a list of object IDs: cannot be evaluated',
        details: { field: 'properties.aadProfile.adminGroupObjectIDs' },
      };
    }
    // Object IDs compare case-insensitively; the first spelling is kept for the message.
    const byKey = new Map<string, string>();
    for (const raw of ids) {
      const id = raw.trim();
      if (id !== '' && !byKey.has(id.toLowerCase())) byKey.set(id.toLowerCase(), id);
    }
    const distinct = [...byKey.values()];
    if (distinct.length === 0) return NO_ADMIN_GROUPS;
    const a = accessOf(ctx, cluster);
    if (!a.ok) return a.outcome;
    // Clusters naming the same admin groups get the same verdict from one view: judged once.
    return memo.get(a.access, distinct, () => judge(a.access, distinct));
  },
  remediation(cluster: ClusterRecord, outcome: RuleOutcome): string {
    const fix = fixOf(outcome);
    return fix.command ?? `az aks update ${clusterArgs(cluster)} --aad-admin-group-object-ids ${fix.ids}`;
  },
};

const NO_ADMIN_GROUPS: RuleOutcome = {
  status: 'not_applicable',
  message: 'No Entra ID admin groups are configured (aadProfile.adminGroupObjectIDs)',
  details: {},
};

// Outcomes are shared by the clusters naming the same groups (see memo): what their fix says is worked out once each.
const fixes = new WeakMap<RuleOutcome, { command?: string; ids?: string }>();

/** The whole command when it names no cluster, else the quoted admin group IDs to set. */
function fixOf(outcome: RuleOutcome): { command?: string; ids?: string } {
  let fix = fixes.get(outcome);
  if (fix) return fix;
  const groups = Array.isArray(outcome.details?.groups)
    ? (outcome.details.groups as { id?: unknown; state?: unknown }[])
    : [];
  const keep = groups.filter((g) => ['valid', 'unknown', 'empty'].includes(String(g.state))).map((g) => String(g.id));
  const replace = groups.some((g) => ['deleted', 'not_a_group', 'not_security_enabled'].includes(String(g.state)));
  const empty = groups.filter((g) => g.state === 'empty').map((g) => String(g.id));
  if (outcome.status === 'fail' && !replace && empty.length > 0) {
    fix = {
      command: empty.map((id) => `az ad group member add --group ${quote(id)} --member-id USER_OBJECT_ID`).join(' && '),
    };
  } else {
    const ids = replace ? [...keep, 'GROUP_OBJECT_ID'] : keep.length ? keep : ['GROUP_OBJECT_ID'];
    fix = { ids: quote(ids.join(',')) };
  }
  fixes.set(outcome, fix);
  return fix;
}

const memo = new OutcomeMemo();

function judge(access: AccessView, distinct: string[]): RuleOutcome {
  const checks: GroupCheck[] = distinct.map((id) => {
    const lookup = access.principal(id);
    if (lookup.state === 'unreadable') return { id, state: 'unknown', note: lookup.reason };
    if (lookup.state === 'absent') return { id, state: 'deleted', severity: 'high' };
    const o = lookup.object;
    const base = { id, displayName: o.displayName, kind: o.kind };
    if (o.kind !== 'group') return { ...base, state: 'not_a_group', severity: 'medium' };
    if (o.securityEnabled === undefined)
      return { ...base, state: 'unknown', note: strippedReason(id, 'securityEnabled') };
    if (o.securityEnabled === false) return { ...base, state: 'not_security_enabled', severity: 'medium' };
    const count = access.transitiveMemberCount(id);
    if (count.state === 'known') {
      return count.count === 0
        ? { ...base, state: 'empty', severity: 'low', memberCount: 0 }
        : { ...base, state: 'valid', memberCount: count.count };
    }
    if (count.state === 'not_checked')
      return { ...base, state: 'valid', note: `member count not checked: ${count.reason}` };
    return { ...base, state: 'unknown', note: `the member count could not be read: ${count.reason}` };
  });
  const name = (c: GroupCheck) => (c.displayName ? `${c.displayName} (${c.id})` : c.id);
  const problems = checks.filter((c) => c.severity);
  const unknowns = checks.filter((c) => c.state === 'unknown');
  const details = {
    groups: checks.map((c) => ({
      id: c.id,
      state: c.state,
      ...(c.displayName !== undefined ? { displayName: c.displayName } : {}),
      ...(c.kind !== undefined ? { kind: c.kind } : {}),
      ...(c.memberCount !== undefined ? { transitiveMembers: c.memberCount } : {}),
      ...(c.note !== undefined ? { note: c.note } : {}),
    })),
  };
  if (problems.length > 0) {
    const worst = problems.reduce<Severity>(
      (w, c) => (severityRank(c.severity as Severity) > severityRank(w) ? (c.severity as Severity) : w),
      'low',
    );
    const parts = problems.map((c) => {
      switch (c.state) {
        case 'deleted':
          return `${c.id} no longer exists in the directory`;
        case 'not_a_group':
          return `${name(c)} is ${KIND_WORDS[c.kind ?? 'other']}, not a group`;
        case 'not_security_enabled':
          return `${name(c)} is not a security-enabled group`;
        default:
          return `${name(c)} has no members`;
      }
    });
    const rest = unknowns.length ? `; ${plural(unknowns.length, 'other could', 'others could')} not be checked` : '';
    return { status: 'fail', severity: worst, message: `Admin group problems: ${parts.join('; ')}${rest}`, details };
  }
  if (unknowns.length > 0) {
    return {
      status: 'unknown',
      message: `${plural(unknowns.length, 'admin group')} could not be checked: ${unknowns.map((c) => `${c.id}: ${c.note}`).join('; ')}`,
      details,
    };
  }
  const notChecked = checks.some((c) => c.note);
  return {
    status: 'pass',
    message:
      `${plural(checks.length, 'admin group resolves', 'admin groups resolve')} to security-enabled groups` +
      (notChecked ? ' (member counts not checked)' : ' with members'),
    details,
  };
}

export default aksAdminGroupsValid;

// Shared wording and grouping for the RBAC-subject rules (src/rules/aks_rbac_*.ts, aks_admin_groups_valid.ts).
import type {
  AccessView,
  ClusterRecord,
  PrincipalLookup,
  RoleAssignmentRecord,
  RuleContext,
  RuleOutcome,
} from '../model';
import { accessRoleOf, type CoveringAssignments } from './roleAssignments';

/**
 * Why a directory object Graph returned lacks a property a rule needs: getByIds returns objects of types the app
 * cannot read with only `id` and `@odata.type` (Microsoft Graph getByIds reference, known issue).
 */
export function strippedReason(id: string, property: string): string {
  return (
    `Microsoft Graph returned ${id} without "${property}" (objects of types the identity cannot read come back with ` +
    `only id and @odata.type); the identity needs Directory.Read.All`
  );
}

export const NOT_GATHERED =
  'Role assignments and directory principals were not gathered for this run, so RBAC subjects cannot be evaluated';

// Shared by every cluster of a run without an access view (findings never mutate an outcome).
const NO_ACCESS = { ok: false, outcome: { status: 'unknown', message: NOT_GATHERED, details: {} } } as const;

/**
 * The access view to judge `cluster` with (its own tenant's directory: see AccessView.forCluster), or the unknown
 * outcome a rule returns without one.
 */
export function accessOf(
  ctx: RuleContext,
  cluster?: ClusterRecord,
): { ok: true; access: AccessView } | { ok: false; outcome: RuleOutcome } {
  if (!ctx.access) return NO_ACCESS;
  const access = cluster && ctx.access.forCluster ? ctx.access.forCluster(cluster) : ctx.access;
  return { ok: true, access };
}

/** A readable answer of coveringAssignments (a class: one is made per cluster and rule). */
class Covering {
  readonly ok = true as const;
  constructor(
    private readonly covering: CoveringAssignments & { readable: true },
    readonly parts: readonly (readonly RoleAssignmentRecord[])[],
    /** How many assignments cover the cluster. */
    readonly count: number,
    /** How many of the first parts belong to this cluster alone (see summariseParts). */
    readonly ownParts: number,
  ) {}
  get assignments(): RoleAssignmentRecord[] {
    return this.covering.assignments;
  }
}

/** The AKS-access role assignments covering the cluster, or the unknown outcome when they could not be read. */
export function coveringAssignments(
  access: AccessView,
  cluster: ClusterRecord,
): Covering | { ok: false; outcome: RuleOutcome } {
  const covering = access.assignmentsFor(cluster);
  if (!covering.readable) {
    return {
      ok: false,
      outcome: {
        status: 'unknown',
        message: `The role assignments covering the cluster could not be read: ${covering.reason}`,
        details: { reason: covering.reason },
      },
    };
  }
  // FleetAccessView also hands out the assignments split by shared lists (CoveringAssignments.parts).
  const split = (covering as CoveringAssignments & { readable: true }).parts;
  const parts: readonly (readonly RoleAssignmentRecord[])[] = split ?? [covering.assignments];
  let count = 0;
  for (const part of parts) count += part.length;
  const own = split ? ((covering as CoveringAssignments & { readable: true }).ownParts ?? 0) : 0;
  return new Covering(covering, parts, count, own);
}

const memo = new WeakMap<AccessView, Map<string, WeakMap<readonly RoleAssignmentRecord[], unknown[]>>>();

/**
 * `pick` applied to every covering assignment, keeping what it returns. Clusters of one subscription share their
 * inherited assignments (often hundreds), so the answer for each shared list is remembered per view and per `key`;
 * `pick` must depend only on the assignment and the view, and each `key` must always be used with the same `pick`.
 */
export function collect<T>(
  access: AccessView,
  parts: readonly (readonly RoleAssignmentRecord[])[],
  key: string,
  pick: (assignment: RoleAssignmentRecord) => T | undefined,
): T[] {
  let byKey = memo.get(access);
  if (!byKey) memo.set(access, (byKey = new Map()));
  let byPart = byKey.get(key);
  if (!byPart) byKey.set(key, (byPart = new WeakMap()));
  const out: T[] = [];
  for (const part of parts) {
    let picked = byPart.get(part) as T[] | undefined;
    if (!picked) {
      picked = [];
      for (const a of part) {
        const item = pick(a);
        if (item !== undefined) picked.push(item);
      }
      byPart.set(part, picked);
    }
    out.push(...picked);
  }
  return out;
}

const summaries = new WeakMap<AccessView, Map<string, WeakMap<readonly RoleAssignmentRecord[], unknown>>>();

/**
 * `summarise` of every covering list, remembered per view, `key` and list: a rule adds up a few figures per cluster
 * instead of walking hundreds of assignments. The same rules as for `collect` apply to `summarise` and `key`; what it
 * returns is shared by every cluster covered by the list, so callers never mutate it. The first `ownParts` lists
 * belong to one cluster only (Covering.ownParts): they are summarised without being remembered.
 */
export function summariseParts<T>(
  access: AccessView,
  parts: readonly (readonly RoleAssignmentRecord[])[],
  key: string,
  summarise: (part: readonly RoleAssignmentRecord[]) => T,
  ownParts = 0,
): T[] {
  let byKey = summaries.get(access);
  if (!byKey) summaries.set(access, (byKey = new Map()));
  let byPart = byKey.get(key);
  if (!byPart) byKey.set(key, (byPart = new WeakMap()));
  const out: T[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i < ownParts) {
      out[i] = summarise(part);
      continue;
    }
    let summary = byPart.get(part) as T | undefined;
    if (summary === undefined) byPart.set(part, (summary = summarise(part)));
    out[i] = summary;
  }
  return out;
}

/** Maps in order into one: first-seen key order, the last value of each key (as `Map#set` over the joined lists). */
export function mergeMaps<K, V>(maps: readonly ReadonlyMap<K, V>[]): Map<K, V> {
  const out = new Map<K, V>();
  for (const map of maps) for (const [k, v] of map) out.set(k, v);
  return out;
}

export function roleName(assignment: RoleAssignmentRecord): string {
  return accessRoleOf(assignment.roleDefinitionId)?.name ?? assignment.roleDefinitionId;
}

export function isAdminRole(assignment: RoleAssignmentRecord): boolean {
  return accessRoleOf(assignment.roleDefinitionId)?.admin === true;
}

/** "Display Name (upn)" when the directory knows the principal, else its object ID. */
export function principalLabel(id: string, lookup: PrincipalLookup): string {
  if (lookup.state !== 'found') return id;
  const { displayName, userPrincipalName } = lookup.object;
  if (displayName && userPrincipalName) return `${displayName} (${userPrincipalName})`;
  return displayName ?? userPrincipalName ?? id;
}

export interface PrincipalAssignments {
  principalId: string;
  label: string;
  displayName?: string;
  userPrincipalName?: string;
  roles: string[];
  scopes: string[];
  assignmentIds: string[];
  /** For remediation: one (role, scope) pair per assignment. */
  grants: { role: string; scope: string; assignmentId: string }[];
  /** The message line and report details of the entry, made once (see listPrincipals, principalDetails). */
  made?: { grants: number; line?: string; details?: Record<string, unknown> };
}

/** Assignments grouped by principal, in first-seen order, roles and scopes deduplicated. */
export function groupByPrincipal(access: AccessView, assignments: RoleAssignmentRecord[]): PrincipalAssignments[] {
  const byPrincipal = new Map<string, PrincipalAssignments>();
  for (const a of assignments) {
    let entry = byPrincipal.get(a.principalId);
    if (!entry) {
      const lookup = access.principal(a.principalId);
      const object = lookup.state === 'found' ? lookup.object : undefined;
      entry = {
        principalId: a.principalId,
        label: principalLabel(a.principalId, lookup),
        displayName: object?.displayName,
        userPrincipalName: object?.userPrincipalName,
        roles: [],
        scopes: [],
        assignmentIds: [],
        grants: [],
      };
      byPrincipal.set(a.principalId, entry);
    }
    const role = roleName(a);
    if (!entry.roles.includes(role)) entry.roles.push(role);
    if (!entry.scopes.includes(a.scope)) entry.scopes.push(a.scope);
    if (a.id) entry.assignmentIds.push(a.id);
    entry.grants.push({ role, scope: a.scope, assignmentId: a.id });
  }
  return [...byPrincipal.values()];
}

const groupings = new WeakMap<AccessView, WeakMap<readonly RoleAssignmentRecord[], PrincipalAssignments[]>>();

/**
 * groupByPrincipal over the lists joined in order, each list grouped once per view (lists come from summariseParts,
 * so clusters share them; the first `ownParts` belong to one cluster and are grouped without being remembered). A
 * principal found in one list only keeps that list's shared entry; callers never mutate the entries.
 */
export function groupParts(
  access: AccessView,
  lists: readonly (readonly RoleAssignmentRecord[])[],
  ownParts = 0,
): PrincipalAssignments[] {
  let byList = groupings.get(access);
  if (!byList) groupings.set(access, (byList = new WeakMap()));
  const grouped: PrincipalAssignments[][] = [];
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i];
    if (list.length === 0) continue;
    if (i < ownParts) {
      grouped.push(groupByPrincipal(access, list as RoleAssignmentRecord[]));
      continue;
    }
    let entries = byList.get(list);
    if (!entries) byList.set(list, (entries = groupByPrincipal(access, list as RoleAssignmentRecord[])));
    grouped.push(entries);
  }
  if (grouped.length === 0) return [];
  if (grouped.length === 1) return grouped[0];
  const byPrincipal = new Map<string, PrincipalAssignments>();
  const copied = new Set<PrincipalAssignments>();
  for (const entries of grouped) {
    for (const entry of entries) {
      const seen = byPrincipal.get(entry.principalId);
      if (!seen) {
        byPrincipal.set(entry.principalId, entry);
        continue;
      }
      // Copy on first merge: the shared entry belongs to its list.
      let merged = seen;
      if (!copied.has(seen)) {
        merged = {
          ...seen,
          made: undefined,
          roles: [...seen.roles],
          scopes: [...seen.scopes],
          assignmentIds: [...seen.assignmentIds],
          grants: [...seen.grants],
        };
        copied.add(merged);
        byPrincipal.set(entry.principalId, merged);
      }
      for (const role of entry.roles) if (!merged.roles.includes(role)) merged.roles.push(role);
      for (const scope of entry.scopes) if (!merged.scopes.includes(scope)) merged.scopes.push(scope);
      merged.assignmentIds.push(...entry.assignmentIds);
      merged.grants.push(...entry.grants);
    }
  }
  return [...byPrincipal.values()];
}

// Entries are shared by the clusters a covering list covers (groupParts): their text and details are made once.
function madeFor(e: PrincipalAssignments): NonNullable<PrincipalAssignments['made']> {
  if (!e.made || e.made.grants !== e.grants.length) e.made = { grants: e.grants.length };
  return e.made;
}

function principalLine(e: PrincipalAssignments): string {
  const made = madeFor(e);
  return (made.line ??= `${e.label} [${e.grants.map((g) => `${g.role} at ${g.scope}`).join('; ')}]`);
}

/** "Jane (jane@x) [Owner at /subscriptions/...]" lines for messages, capped so a finding stays readable. */
export function listPrincipals(entries: PrincipalAssignments[], max = 10): string {
  const shown = entries.slice(0, max).map(principalLine);
  const more = entries.length > max ? `; and ${entries.length - max} more` : '';
  return shown.join('; ') + more;
}

/** At most this many principals go into a finding's details, so stored findings stay small on any fleet. */
export const DETAILS_MAX_PRINCIPALS = 100;
/** At most this many assignment IDs go into one remediation command. */
export const REMEDIATION_MAX_IDS = 25;

function principalDetail(e: PrincipalAssignments): Record<string, unknown> {
  const made = madeFor(e);
  return (made.details ??= {
    principalId: e.principalId,
    ...(e.displayName !== undefined ? { displayName: e.displayName } : {}),
    ...(e.userPrincipalName !== undefined ? { userPrincipalName: e.userPrincipalName } : {}),
    roles: e.roles,
    scopes: e.scopes,
    assignments: e.grants.map((g) => ({ id: g.assignmentId, role: g.role, scope: g.scope })),
  });
}

/**
 * JSON-safe details of principals for the report (the first DETAILS_MAX_PRINCIPALS). An entry's details object is
 * made once and shared by the findings that list it: treat it as read-only.
 */
export function principalDetails(entries: PrincipalAssignments[]): Record<string, unknown>[] {
  return entries.slice(0, DETAILS_MAX_PRINCIPALS).map(principalDetail);
}

/** `{principalsOmitted: n}` when the details list was cut. */
export function omitted(entries: PrincipalAssignments[]): Record<string, number> {
  const n = entries.length - DETAILS_MAX_PRINCIPALS;
  return n > 0 ? { principalsOmitted: n } : {};
}

/** `az role assignment delete --ids ...` for up to REMEDIATION_MAX_IDS assignments, saying how many are left. */
export function deleteAssignmentsCommand(ids: string[], total: unknown = ids.length): string {
  return deleteCommand(ids.slice(0, REMEDIATION_MAX_IDS), ids.length, total);
}

/** deleteAssignmentsCommand over the first IDs of a list of `count` IDs. */
function deleteCommand(shown: string[], count: number, total: unknown): string {
  const rest = (typeof total === 'number' && total > count ? total : count) - shown.length;
  return `az role assignment delete --ids ${shown.map(quote).join(' ')}${rest > 0 ? ` # and ${rest} more: see the finding details` : ''}`;
}

/** Calls `visit` for each `assignments` entry of principal details (see principalDetails), read back defensively. */
export function forEachGrant(value: unknown, visit: (id: string, role: string, scope: string) => void): void {
  if (!Array.isArray(value)) return;
  for (const entry of value) {
    const list = typeof entry === 'object' && entry !== null ? (entry as { assignments?: unknown }).assignments : [];
    if (!Array.isArray(list)) continue;
    for (const g of list) {
      const { id, role, scope } = (g ?? {}) as Record<string, unknown>;
      if (typeof id === 'string' && typeof role === 'string' && typeof scope === 'string') visit(id, role, scope);
    }
  }
}

/** The `assignments` entries of principal details (see principalDetails), read back defensively. */
export function grantsFromDetails(value: unknown): { id: string; role: string; scope: string }[] {
  const out: { id: string; role: string; scope: string }[] = [];
  forEachGrant(value, (id, role, scope) => out.push({ id, role, scope }));
  return out;
}

/**
 * The delete command for the assignments listed in principal details (deleteAssignmentsCommand of their IDs), or
 * undefined when the details list none. Reads only as many IDs as the command shows.
 */
export function deleteListedAssignments(value: unknown, total: unknown): string | undefined {
  const shown: string[] = [];
  let count = 0;
  forEachGrant(value, (id) => {
    if (count++ < REMEDIATION_MAX_IDS) shown.push(id);
  });
  return count === 0 ? undefined : deleteCommand(shown, count, total);
}

/**
 * The remediation of user bindings: grant each of the first five (role, scope) pairs to a group, then delete the
 * user assignments (the non-empty IDs). Undefined when the details list no assignment.
 */
export function regrantToGroupsCommand(value: unknown, total: unknown): string | undefined {
  const creates: string[] = [];
  const shown: string[] = [];
  let grants = 0;
  let ids = 0;
  forEachGrant(value, (id, role, scope) => {
    grants++;
    if (creates.length < 5) {
      const command = createForGroupCommand(role, scope);
      if (!creates.includes(command)) creates.push(command);
    }
    if (id) {
      if (ids < REMEDIATION_MAX_IDS) shown.push(id);
      ids++;
    }
  });
  if (grants === 0) return undefined;
  return [...creates, ...(ids ? [deleteCommand(shown, ids, total)] : [])].join(' && ');
}

// The same roles and scopes recur in the remediation of every cluster they cover: each command is made once.
const createCommands = new Map<string, Map<string, string>>();
let createCommandCount = 0;

function createForGroupCommand(role: string, scope: string): string {
  let command = createCommands.get(role)?.get(scope);
  if (command === undefined) {
    command = `az role assignment create --assignee-object-id GROUP_OBJECT_ID --assignee-principal-type Group --role ${quote(role)} --scope ${quote(scope)}`;
    if (createCommandCount >= 10_000) {
      createCommands.clear();
      createCommandCount = 0;
    }
    let byScope = createCommands.get(role);
    if (!byScope) createCommands.set(role, (byScope = new Map()));
    byScope.set(scope, command);
    createCommandCount++;
  }
  return command;
}

// Role assignment IDs and scopes shared by many clusters recur in their remediations: each is quoted once.
const quoted = new Map<string, string>();

/** Quotes a value for a POSIX shell when it holds anything beyond a safe set. */
export function quote(value: string): string {
  let q = quoted.get(value);
  if (q === undefined) {
    q = quoteText(value);
    if (quoted.size >= 10_000) quoted.clear();
    quoted.set(value, q);
  }
  return q;
}

function quoteText(value: string): string {
  return /^[A-Za-z0-9_.,\-/:@]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

let lastQuotedId: { cluster: ClusterRecord; id: string; quoted: string } | undefined;

/** quote(cluster.id), made once for the cluster at hand: every RBAC-subject rule's remediation names it. */
export function quoteClusterId(cluster: ClusterRecord): string {
  const known = lastQuotedId;
  if (known?.cluster === cluster && known.id === cluster.id) return known.quoted;
  // Unique to the cluster: not worth a place among the shared quotes.
  lastQuotedId = { cluster, id: cluster.id, quoted: quoteText(cluster.id) };
  return lastQuotedId.quoted;
}

// AKS-access role assignments and which clusters they cover. Pure: rows in, an index out.
import type { ClusterHead, RoleAssignmentRecord, ScanProblem } from '../model';
import { normaliseId } from '../model';
import { AKS_ACCESS_ROLES, ROLE_ASSIGNMENTS_QUERY } from '../inventory/queries';

export type AccessRoleGuid = keyof typeof AKS_ACCESS_ROLES;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Role assignment principal types whose principals this tenant's directory holds and `getByIds` (asked for users,
 * groups and service principals) can find. Others (`ForeignGroup`: a group of another tenant; `Device`; any value
 * ARM adds later) are never looked up, so their absence says nothing. An empty type (ARM left it out) is looked up.
 */
const DIRECTORY_PRINCIPAL_TYPES = new Set(['user', 'group', 'serviceprincipal', '']);

export function isDirectoryPrincipalType(principalType: string): boolean {
  return DIRECTORY_PRINCIPAL_TYPES.has(principalType.trim().toLowerCase());
}

/**
 * The AKS-access role a role definition ID names, matched on its trailing GUID, so the tenant form
 * (`/providers/Microsoft.Authorization/roleDefinitions/GUID`), the subscription form and a bare GUID all match.
 */
export function accessRoleOf(
  roleDefinitionId: string,
): { guid: AccessRoleGuid; name: string; admin: boolean } | undefined {
  // Few distinct role definition IDs occur across a fleet: remember each answer.
  if (roleCache.has(roleDefinitionId)) return roleCache.get(roleDefinitionId);
  const guid = normaliseId(roleDefinitionId).split('/').pop() ?? '';
  const role = Object.prototype.hasOwnProperty.call(AKS_ACCESS_ROLES, guid)
    ? { guid: guid as AccessRoleGuid, ...AKS_ACCESS_ROLES[guid as AccessRoleGuid] }
    : undefined;
  if (roleCache.size < 10_000) roleCache.set(roleDefinitionId, role);
  return role;
}

const roleCache = new Map<string, { guid: AccessRoleGuid; name: string; admin: boolean } | undefined>();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ARM writes the root scope as `/`; normaliseId would strip it to nothing. */
export function normaliseScope(scope: string): string {
  const s = normaliseId(scope);
  return s === '' ? '/' : s;
}

/**
 * One role assignment row into a record. Accepts flat rows (the project's Resource Graph projection,
 * `az role assignment list -o json`) and rows that keep an ARM `properties` envelope (`authorizationresources`,
 * `GET .../roleAssignments/{id}`). The error names the missing field.
 */
export function toRoleAssignmentRecord(row: unknown): { record: RoleAssignmentRecord } | { error: string } {
  if (!isObject(row)) return { error: 'item is not an object' };
  const props = isObject(row.properties) ? row.properties : row;
  const id = typeof row.id === 'string' ? row.id : typeof row.name === 'string' ? row.name : '';
  const pick = (key: string): string | undefined => {
    const v = props[key] ?? row[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const principalId = pick('principalId');
  const roleDefinitionId = pick('roleDefinitionId');
  const scope = pick('scope');
  const label = id ? `role assignment ${id}` : 'role assignment';
  if (!principalId) return { error: `${label} has no string "principalId"` };
  if (!roleDefinitionId) return { error: `${label} has no string "roleDefinitionId"` };
  if (!scope) return { error: `${label} has no string "scope"` };
  if (!scope.startsWith('/'))
    return { error: `${label} has a "scope" that is not an ARM scope: ${scope.slice(0, 200)}` };
  return {
    record: {
      id: normaliseId(id),
      principalId: principalId.toLowerCase(),
      principalType: pick('principalType') ?? '',
      roleDefinitionId: normaliseId(roleDefinitionId),
      scope: normaliseScope(scope),
    },
  };
}

const MG_SCOPE = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/;
const SUBSCRIPTION_SCOPE = /^\/subscriptions\/[^/]+$/;
const RG_SCOPE = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/;
const CLUSTER_OR_BELOW =
  /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+)(\/.*)?$/;

/** A normalised managed cluster ID: its resource group's scope, and its subscription. */
const CLUSTER_KEY =
  /^(\/subscriptions\/([^/]+)\/resourcegroups\/[^/]+)\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+$/;

/** The management group scope string for a management group name, in normalised form. */
export function managementGroupScope(name: string): string {
  return `/providers/microsoft.management/managementgroups/${name.toLowerCase()}`;
}

/**
 * The key a scope is indexed under: the scope itself, except that a cluster's sub-scopes (namespaces) fold into the
 * cluster. Scopes that can never cover a cluster (other resources) give undefined.
 */
function coverageKey(scope: string): string | undefined {
  if (scope === '/' || MG_SCOPE.test(scope) || SUBSCRIPTION_SCOPE.test(scope) || RG_SCOPE.test(scope)) return scope;
  const m = CLUSTER_OR_BELOW.exec(scope);
  return m ? m[1] : undefined;
}

export interface CoverageOptions {
  /**
   * Subscription ID (lower case) -> management group names, nearest first. A subscription missing from the map has
   * an unknown chain.
   */
  chains?: ReadonlyMap<string, readonly string[]>;
  /**
   * What an unknown chain means while management-group-scope assignments exist: `unknown` (live: the cluster's
   * assignments are unreadable) or `ignore` (offline without chains: management group scopes are not resolved).
   */
  unknownChain: 'unknown' | 'ignore';
}

export type CoveringAssignments =
  | {
      readable: true;
      assignments: RoleAssignmentRecord[];
      /**
       * The same assignments split by where they come from (cluster, resource group, inherited), each list the same
       * array object for every cluster that shares it, so per-list work can be remembered. Never mutate them.
       */
      parts?: readonly (readonly RoleAssignmentRecord[])[];
      /** How many of the first parts belong to this cluster alone (its own scope): not worth remembering per list. */
      ownParts?: number;
    }
  | { readable: false; reason: string };

/**
 * A readable CoveringAssignments over shared lists. Most readers go through `parts`; the joined list (often hundreds
 * long) is built only when asked for. A class, so that one is cheap to make for every cluster.
 */
class CoveringLists {
  readonly readable = true as const;
  private joined?: RoleAssignmentRecord[];
  constructor(
    readonly parts: RoleAssignmentRecord[][],
    readonly ownParts = 0,
  ) {}
  get assignments(): RoleAssignmentRecord[] {
    return (this.joined ??= this.parts.flat());
  }
}

/**
 * Which AKS-access role assignments cover which cluster, by hash lookups on scope strings: a cluster asks for its own
 * scope (sub-scopes folded in), its resource group, its subscription, its management groups and the root.
 */
export class AssignmentCoverage {
  private readonly byKey = new Map<string, RoleAssignmentRecord[]>();
  private readonly hasManagementGroupScopes: boolean;
  readonly size: number;

  constructor(
    assignments: Iterable<RoleAssignmentRecord>,
    private readonly options: CoverageOptions,
  ) {
    const seen = new Set<string>();
    let mg = false;
    let size = 0;
    for (const a of assignments) {
      if (!accessRoleOf(a.roleDefinitionId)) continue;
      const key = coverageKey(a.scope);
      if (key === undefined) continue;
      // Keyed by assignment ID when it has one; identical exports read twice must not double count.
      const identity = a.id || `${a.principalId}|${a.roleDefinitionId}|${a.scope}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      if (MG_SCOPE.test(key)) mg = true;
      const list = this.byKey.get(key);
      if (list) list.push(a);
      else this.byKey.set(key, [a]);
      size++;
    }
    this.hasManagementGroupScopes = mg;
    this.size = size;
  }

  // gatherAccess asks for every cluster before the rules do: each cluster's answer is worked out once per run.
  private readonly answers = new WeakMap<ClusterHead, { id: string; answer: CoveringAssignments }>();

  covering(cluster: ClusterHead): CoveringAssignments {
    const known = this.answers.get(cluster);
    if (known && known.id === cluster.id) return known.answer;
    const answer = this.lookup(cluster);
    this.answers.set(cluster, { id: cluster.id, answer });
    return answer;
  }

  private lookup(cluster: ClusterHead): CoveringAssignments {
    // The normalised ID is the cluster's own key, and its resource group's key is the start of it.
    const id = normaliseId(cluster.id);
    const parts = CLUSTER_KEY.exec(id);
    if (!parts) return { readable: false, reason: `"${cluster.id}" is not a managed cluster resource ID` };
    const inherited = this.inheritedFrom(parts[2]);
    if (!inherited.readable) return inherited;
    const own = this.byKey.get(id);
    const group = this.byKey.get(parts[1]);
    if (!own && !group) return inherited.answer;
    const lists: RoleAssignmentRecord[][] = [];
    if (own) lists.push(own);
    if (group) lists.push(group);
    lists.push(...inherited.lists);
    return new CoveringLists(lists, own ? 1 : 0);
  }

  /**
   * What every cluster of a subscription inherits: subscription, management groups, root. Computed once each. The
   * parts are the index's own lists, one per scope, so clusters of every subscription under a management group share
   * its list object and per-list work is done once for the whole fleet.
   */
  private readonly inheritedCache = new Map<
    string,
    | { readable: true; lists: RoleAssignmentRecord[][]; answer: CoveringAssignments }
    | { readable: false; reason: string }
  >();

  private inheritedFrom(
    sub: string,
  ):
    | { readable: true; lists: RoleAssignmentRecord[][]; answer: CoveringAssignments }
    | { readable: false; reason: string } {
    const cached = this.inheritedCache.get(sub);
    if (cached) return cached;
    const keys = [`/subscriptions/${sub}`];
    const chain = this.options.chains?.get(sub);
    if (chain) for (const name of chain) keys.push(managementGroupScope(name));
    let answer:
      | { readable: true; lists: RoleAssignmentRecord[][]; answer: CoveringAssignments }
      | { readable: false; reason: string };
    if (!chain && this.hasManagementGroupScopes && this.options.unknownChain === 'unknown') {
      answer = {
        readable: false,
        reason: `the management group chain of subscription ${sub} could not be read, so management-group-scope role assignments cannot be matched`,
      };
    } else {
      keys.push('/');
      const lists: RoleAssignmentRecord[][] = [];
      for (const key of keys) {
        const list = this.byKey.get(key);
        if (list && list.length > 0) lists.push(list);
      }
      answer = { readable: true, lists, answer: new CoveringLists(lists) };
    }
    this.inheritedCache.set(sub, answer);
    return answer;
  }
}

/** Minimal view of the Resource Graph reader (src/inventory/resourceGraph.ts) this module needs. */
export interface GraphQueryReader {
  queryAll<T>(
    query: string,
    scope: { subscriptions?: string[]; managementGroups?: string[] },
    options?: { authorizationScopeFilter?: 'AtScopeAboveAndBelow'; onPage?: (rows: unknown[]) => void },
  ): Promise<{ rows: T[]; complete: boolean; problems: ScanProblem[] }>;
}

const ASSIGNMENT_INFIX = '/providers/microsoft.authorization/roleassignments/';

/** A role assignment whose ID is its scope's plus its name: the ID is put together when asked for. */
class ScopedAssignment implements RoleAssignmentRecord {
  constructor(
    readonly principalId: string,
    readonly principalType: string,
    readonly roleDefinitionId: string,
    readonly scope: string,
    private readonly name: string,
  ) {}

  get id(): string {
    return `${this.scope}${ASSIGNMENT_INFIX}${this.name}`;
  }

  /** As a plain record (its ID included), for anything that serialises it. */
  toJSON(): RoleAssignmentRecord {
    return {
      id: this.id,
      principalId: this.principalId,
      principalType: this.principalType,
      roleDefinitionId: this.roleDefinitionId,
      scope: this.scope,
    };
  }
}

export interface RoleAssignmentRead {
  assignments: RoleAssignmentRecord[];
  /** False when some pages or scopes could not be read, or a row could not be parsed. */
  complete: boolean;
  problems: ScanProblem[];
}

/**
 * Reads the AKS-access role assignments through Resource Graph (`authorizationresources`), over the subscriptions
 * the inventory found (the reader sends at most 1,000 a request) with `AtScopeAboveAndBelow`, so that the
 * assignments they inherit from management groups above them come back too: that filter is documented relative to
 * the subscriptions or management groups in the request, never for a tenant-scope query.
 */
export async function readRoleAssignments(
  reader: GraphQueryReader,
  scope: { subscriptions?: string[]; managementGroups?: string[] },
): Promise<RoleAssignmentRead> {
  const assignments: RoleAssignmentRecord[] = [];
  const parseProblems: ScanProblem[] = [];
  // Principals, roles, types and scopes repeat across a fleet's assignments: one string each, parsed a page at a time.
  const words = new Map<string, string>();
  const word = (value: string): string => {
    const known = words.get(value);
    if (known !== undefined) return known;
    words.set(value, value);
    return value;
  };
  const result = await reader.queryAll<unknown>(ROLE_ASSIGNMENTS_QUERY, scope, {
    authorizationScopeFilter: 'AtScopeAboveAndBelow',
    onPage: (rows) => {
      for (const row of rows) {
        const parsed = toRoleAssignmentRecord(row);
        if ('error' in parsed) {
          parseProblems.push({ source: 'resourceGraph', scope: 'authorizationresources', message: parsed.error });
          continue;
        }
        const r = parsed.record;
        const scope = word(r.scope);
        const principalId = word(r.principalId);
        const principalType = word(r.principalType);
        const roleDefinitionId = word(r.roleDefinitionId);
        // Most IDs are the scope's plus the assignment's name: only the name is kept (the scope is shared).
        const name = r.id.startsWith(scope) ? r.id.slice(scope.length) : '';
        assignments.push(
          name.startsWith(ASSIGNMENT_INFIX) && !name.includes('/', ASSIGNMENT_INFIX.length)
            ? new ScopedAssignment(
                principalId,
                principalType,
                roleDefinitionId,
                scope,
                name.slice(ASSIGNMENT_INFIX.length),
              )
            : { id: r.id, principalId, principalType, roleDefinitionId, scope },
        );
      }
    },
  });
  const problems = [...result.problems, ...parseProblems];
  const complete = result.complete && parseProblems.length === 0;
  return { assignments, complete, problems };
}

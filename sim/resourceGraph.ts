// Resource Graph `resources`: the product's own queries (src/inventory/queries.ts) evaluated over the fleet, with the
// paging, quota and scope semantics of the real service. Any other query is refused with a 400: the simulator cannot
// run KQL and never guesses.
import { QUERIES, AKS_ACCESS_ROLES, type QueryName } from '../src/inventory/queries';
import type { Faults } from './faults';
import type { Fleet } from './fleet/types';
import { INVALID_JSON, json, type SimRequest, type SimResponse } from './http';

type Row = Record<string, unknown>;

export interface QuotaOptions {
  /** Queries per window per caller (default 15). */
  limit: number;
  /** Window length in milliseconds (default 5000). */
  windowMs: number;
}

/** Rows of one query over the whole fleet, sorted as the query orders them, each tagged with what scopes it. */
interface QueryRows {
  rows: Row[];
  /** Lower-case subscription of each row; '' for rows outside any subscription (management-group scope). */
  subscription: string[];
  /** Lower-case management group of rows scoped to one ('' otherwise). */
  managementGroup: string[];
  /** Rows that sit at their subscription itself (a subscription-scope role assignment). */
  atSubscription: boolean[];
}

type ScopeRelation = 'at' | 'below' | 'above';
export type AuthorizationScopeFilter = 'AtScopeAndBelow' | 'AtScopeAndAbove' | 'AtScopeExact' | 'AtScopeAboveAndBelow';
const SCOPE_FILTERS: Record<AuthorizationScopeFilter, ScopeRelation[]> = {
  AtScopeAndBelow: ['at', 'below'],
  AtScopeAndAbove: ['at', 'above'],
  AtScopeExact: ['at'],
  AtScopeAboveAndBelow: ['at', 'above', 'below'],
};

interface ResolvedScope {
  key: string;
  /** No subscriptions or management groups named: everything the caller can read. */
  tenant: boolean;
  /** More subscriptions were in scope than one query covers: the answer holds the first ones only. */
  limitHit?: boolean;
  /** Readable subscriptions in scope (named, or under a named management group). */
  subscriptions: Set<string>;
  /** Subscriptions named explicitly (a subscription-level row of these is "at" the scope). */
  atSubscriptions: Set<string>;
  atGroups: Set<string>;
  belowGroups: Set<string>;
  aboveGroups: Set<string>;
}

interface SkipToken {
  v: 1;
  q: QueryName;
  s: string;
  o: number;
  t: number;
}

const DEFAULT_TOP = 100;
const MAX_TOP = 1000;
/** Subscriptions one request may name (troubleshooting guide, "Too many subscriptions"). */
export const MAX_REQUEST_SUBSCRIPTIONS = 1000;
/** Subscriptions a management-group scope covers before it answers TooManySubscriptionsUnderScope. */
export const MAX_MANAGEMENT_GROUP_SUBSCRIPTIONS = 10_000;
/** Tables that honour `authorizationScopeFilter` (REST reference: authorizationresources and policyresources). */
const SCOPE_FILTER_QUERIES = new Set<QueryName>(['roleAssignments']);
const CLUSTER_TYPE = 'microsoft.containerservice/managedclusters';
const ROLE_ASSIGNMENT_TYPE = 'microsoft.authorization/roleassignments';

export function normaliseQuery(query: string): string {
  return query.replace(/\s+/g, ' ').trim();
}

const KNOWN_QUERIES = new Map<string, QueryName>(
  (Object.entries(QUERIES) as [QueryName, string][]).map(([name, text]) => [normaliseQuery(text), name]),
);

const PACKED_CLUSTER_PROPERTIES = [
  'kubernetesVersion',
  'currentKubernetesVersion',
  'provisioningState',
  'powerState',
  'supportPlan',
  'enableRBAC',
  'aadProfile',
  'disableLocalAccounts',
  'apiServerAccessProfile',
  'autoUpgradeProfile',
  'agentPoolProfiles',
];

function subscriptionOf(id: string): string {
  const m = /^\/subscriptions\/([^/]+)/i.exec(id);
  return m ? m[1].toLowerCase() : '';
}

function resourceGroupOf(id: string): string {
  const m = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)/i.exec(id);
  return m ? m[1] : '';
}

/** KQL `order by x asc` on strings. */
function byId(a: Row, b: Row): number {
  const x = String(a.id);
  const y = String(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `dynamic` value as KQL returns it: a missing property is null. */
function dyn(value: unknown): unknown {
  return value === undefined ? null : value;
}

function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}

export class ResourceGraphSim {
  private fleet!: Fleet;
  private rowsCache = new Map<QueryName, QueryRows>();
  /** Filtered results per (query, scope), so that paging through 10,000 rows does not refilter each page. */
  private resultCache = new Map<string, Row[]>();
  private rowJson = new WeakMap<Row, string>();
  private quotaWindows = new Map<string, { start: number; used: number }>();
  private chainBySubscription = new Map<string, string[]>();
  private knownManagementGroups = new Set<string>();
  private forbiddenByFleet = new Set<string>();

  constructor(
    fleet: Fleet,
    private readonly faults: Faults,
    private readonly quota: QuotaOptions,
    private readonly maxManagementGroupSubscriptions = MAX_MANAGEMENT_GROUP_SUBSCRIPTIONS,
  ) {
    this.setFleet(fleet);
  }

  setFleet(fleet: Fleet): void {
    this.fleet = fleet;
    this.rowsCache.clear();
    this.resultCache.clear();
    this.chainBySubscription.clear();
    this.knownManagementGroups.clear();
    this.forbiddenByFleet = new Set((fleet.forbiddenSubscriptions ?? []).map((x) => x.toLowerCase()));
    for (const sub of fleet.subscriptions) {
      const chain = sub.managementGroupAncestorsChain.map((g) => g.name.toLowerCase());
      this.chainBySubscription.set(sub.subscriptionId.toLowerCase(), chain);
      for (const g of chain) this.knownManagementGroups.add(g);
    }
  }

  resetQuota(): void {
    this.quotaWindows.clear();
  }

  /**
   * Quota accounting for one request: either the headers to add to the answer, or the 429 to send instead.
   * Called before fault injection, as the real throttle sits in front of the service.
   */
  takeQuota(caller: string): { headers: Record<string, string>; throttled?: SimResponse } {
    const now = Date.now();
    let window = this.quotaWindows.get(caller);
    if (!window || now >= window.start + this.quota.windowMs) {
      window = { start: now, used: 0 };
      this.quotaWindows.set(caller, window);
    }
    const resetsInMs = window.start + this.quota.windowMs - now;
    if (window.used >= this.quota.limit) {
      const headers = {
        'x-ms-user-quota-remaining': '0',
        'x-ms-user-quota-resets-after': formatDuration(resetsInMs),
        'retry-after': String(Math.max(1, Math.ceil(resetsInMs / 1000))),
      };
      return { headers, throttled: rateLimited(headers) };
    }
    window.used++;
    return {
      headers: {
        'x-ms-user-quota-remaining': String(this.quota.limit - window.used),
        'x-ms-user-quota-resets-after': formatDuration(resetsInMs),
      },
    };
  }

  /** Current quota headers without spending any (for answers that fail before reaching the service). */
  peekQuota(caller: string): Record<string, string> {
    const now = Date.now();
    const window = this.quotaWindows.get(caller);
    if (!window || now >= window.start + this.quota.windowMs) {
      return {
        'x-ms-user-quota-remaining': String(this.quota.limit),
        'x-ms-user-quota-resets-after': formatDuration(this.quota.windowMs),
      };
    }
    return {
      'x-ms-user-quota-remaining': String(Math.max(0, this.quota.limit - window.used)),
      'x-ms-user-quota-resets-after': formatDuration(window.start + this.quota.windowMs - now),
    };
  }

  handle(req: SimRequest): SimResponse {
    const body = req.body;
    if (body === INVALID_JSON || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return badRequest('InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
    }
    const request = body as Record<string, unknown>;
    if (typeof request.query !== 'string' || request.query.trim() === '') {
      return badRequest('BadRequest', "The request body must contain a non-empty string 'query'.");
    }
    const queryName = KNOWN_QUERIES.get(normaliseQuery(request.query));
    if (!queryName) {
      return badRequest(
        'UnsupportedQuery',
        `The simulator answers only the queries of src/inventory/queries.ts (${Object.keys(QUERIES).join(', ')}); ` +
          `this query is none of them: ${JSON.stringify(normaliseQuery(request.query).slice(0, 160))}`,
      );
    }
    const options = (request.options ?? {}) as Record<string, unknown>;
    if (typeof options !== 'object' || Array.isArray(options))
      return badRequest('BadRequest', "'options' must be an object.");
    if (options.resultFormat !== undefined && options.resultFormat !== 'objectArray') {
      return badRequest(
        'BadRequest',
        `resultFormat '${String(options.resultFormat)}' is not served by the simulator; use objectArray.`,
      );
    }
    const top = options.$top;
    if (top !== undefined && (!Number.isInteger(top) || (top as number) < 1 || (top as number) > MAX_TOP)) {
      return badRequest('BadRequest', `'$top' must be an integer from 1 to ${MAX_TOP}; got ${JSON.stringify(top)}.`);
    }
    const skip = options.$skip;
    if (skip !== undefined && (!Number.isInteger(skip) || (skip as number) < 0)) {
      return badRequest('BadRequest', `'$skip' must be a non-negative integer; got ${JSON.stringify(skip)}.`);
    }

    if (options.authorizationScopeFilter !== undefined && !SCOPE_FILTER_QUERIES.has(queryName)) {
      // The documentation gives the option for authorizationresources and policyresources only; what other tables
      // do with it is not documented, so the simulator refuses it rather than guess.
      return badRequest(
        'InvalidQueryOption',
        `'authorizationScopeFilter' applies to authorizationresources (and policyresources) queries only; this query reads another table.`,
      );
    }
    const filter = options.authorizationScopeFilter ?? 'AtScopeAndBelow';
    if (typeof filter !== 'string' || !(filter in SCOPE_FILTERS)) {
      return badRequest(
        'BadRequest',
        `'authorizationScopeFilter' must be one of ${Object.keys(SCOPE_FILTERS).join(', ')}; got ${JSON.stringify(filter)}.`,
      );
    }
    const scope = this.resolveScope(request, options.allowPartialScopes === true);
    if ('refused' in scope) return scope.refused;

    let offset = (skip as number | undefined) ?? 0;
    let pageSize = (top as number | undefined) ?? DEFAULT_TOP;
    if (options.$skipToken !== undefined) {
      const token = decodeSkipToken(options.$skipToken);
      if (!token || token.q !== queryName || token.s !== scope.key) {
        return badRequest('InvalidSkipToken', 'The $skipToken is invalid or does not belong to this query and scope.');
      }
      offset = token.o;
      if (top === undefined) pageSize = token.t;
    }

    const rows = this.result(queryName, scope, filter as AuthorizationScopeFilter);
    const page = rows.slice(offset, offset + pageSize);
    const next = offset + page.length;
    let head = `{"totalRecords":${rows.length},"count":${page.length},"resultTruncated":"false","facets":[]`;
    if (next < rows.length) {
      const token: SkipToken = { v: 1, q: queryName, s: scope.key, o: next, t: pageSize };
      head += `,"$skipToken":${JSON.stringify(Buffer.from(JSON.stringify(token)).toString('base64'))}`;
    }
    // Rows are serialised once and reused by every page that carries them (10,000-cluster fleets page a lot).
    const data = page.map((row) => {
      let text = this.rowJson.get(row);
      if (text === undefined) {
        text = JSON.stringify(row);
        this.rowJson.set(row, text);
      }
      return text;
    });
    return {
      status: 200,
      body: `${head},"data":[${data.join(',')}]}`,
      contentType: 'application/json; charset=utf-8',
      ...(scope.limitHit ? { headers: { 'x-ms-tenant-subscription-limit-hit': 'true' } } : {}),
    };
  }

  private isForbidden(subscription: string): boolean {
    return this.forbiddenByFleet.has(subscription) || this.faults.forbiddenSubscription('resourceGraph', subscription);
  }

  private resolveScope(
    request: Record<string, unknown>,
    allowPartialScopes: boolean,
  ): ResolvedScope | { refused: SimResponse } {
    const list = (value: unknown, name: string): string[] | { refused: SimResponse } => {
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        return { refused: badRequest('BadRequest', `'${name}' must be an array of strings.`) };
      }
      return [...new Set(value.map((v: string) => v.trim().toLowerCase()))];
    };
    const subs = list(request.subscriptions, 'subscriptions');
    if (!Array.isArray(subs)) return subs;
    const groups = list(request.managementGroups, 'managementGroups');
    if (!Array.isArray(groups)) return groups;
    if (subs.length > MAX_REQUEST_SUBSCRIPTIONS) {
      return {
        refused: badRequest(
          'TooManySubscriptions',
          `The request names ${subs.length} subscriptions; at most ${MAX_REQUEST_SUBSCRIPTIONS} are accepted. Batch the subscriptions into several requests.`,
        ),
      };
    }

    const scope: ResolvedScope = {
      key: JSON.stringify([[...subs].sort(), [...groups].sort()]),
      tenant: subs.length === 0 && groups.length === 0,
      subscriptions: new Set(),
      atSubscriptions: new Set(),
      atGroups: new Set(),
      belowGroups: new Set(),
      aboveGroups: new Set(),
    };
    // A named subscription the caller cannot read (or that does not exist) is left out of the answer; only when none
    // of them is readable is the request refused, with a 403 that names no subscription (troubleshooting guide,
    // "No read permission to all subscriptions in list").
    for (const s of subs) {
      if (!this.chainBySubscription.has(s) || this.isForbidden(s)) continue;
      scope.subscriptions.add(s);
      scope.atSubscriptions.add(s);
      for (const g of this.chainBySubscription.get(s) ?? []) scope.aboveGroups.add(g);
    }
    if (subs.length > 0 && scope.subscriptions.size === 0) return { refused: accessDenied() };
    for (const g of groups) {
      if (!this.knownManagementGroups.has(g) || this.faults.forbiddenManagementGroup('resourceGraph', g)) {
        return { refused: accessDenied() };
      }
      scope.atGroups.add(g);
    }
    if (groups.length > 0) {
      const under: string[] = [];
      for (const [sub, chain] of this.chainBySubscription) {
        const index = Math.min(...groups.map((g) => chain.indexOf(g)).map((i) => (i < 0 ? Infinity : i)));
        if (index === Infinity) continue;
        for (const g of chain.slice(0, index)) scope.belowGroups.add(g);
        for (const g of chain.slice(index + 1)) scope.aboveGroups.add(g);
        under.push(sub);
      }
      // A management group covers its first 10,000 subscriptions: a larger one is refused, or with
      // allowPartialScopes silently cut to the first ones (REST reference, QueryRequestOptions.allowPartialScopes).
      under.sort();
      if (under.length > this.maxManagementGroupSubscriptions) {
        if (!allowPartialScopes) {
          return {
            refused: badRequest(
              'TooManySubscriptionsUnderScope',
              `The management group scope holds ${under.length} subscriptions; at most ${this.maxManagementGroupSubscriptions} are supported. Query a narrower scope or set allowPartialScopes.`,
            ),
          };
        }
        under.length = this.maxManagementGroupSubscriptions;
        scope.limitHit = true;
      }
      // Within a management group, a subscription the caller cannot read is left out silently.
      for (const sub of under) if (!this.isForbidden(sub)) scope.subscriptions.add(sub);
    }
    if (scope.tenant) {
      // Tenant-wide queries silently omit what the caller cannot read, as the real service does, and cover the first
      // 10,000 subscriptions, saying so only in x-ms-tenant-subscription-limit-hit (throttling guidance).
      const readable = [...this.chainBySubscription.keys()].filter((sub) => !this.isForbidden(sub)).sort();
      if (readable.length > this.maxManagementGroupSubscriptions) {
        readable.length = this.maxManagementGroupSubscriptions;
        scope.limitHit = true;
      }
      for (const sub of readable) scope.subscriptions.add(sub);
    }
    for (const g of scope.atGroups) scope.belowGroups.delete(g);
    for (const g of [...scope.atGroups, ...scope.belowGroups]) scope.aboveGroups.delete(g);
    return scope;
  }

  private result(name: QueryName, scope: ResolvedScope, filter: AuthorizationScopeFilter): Row[] {
    // The resolved scope is the key: forbidden subscriptions can change between requests.
    const cacheKey = [
      name,
      filter,
      scope.tenant,
      [...scope.subscriptions].sort().join(','),
      [...scope.atSubscriptions].sort().join(','),
      [...scope.atGroups].sort().join(','),
    ].join('|');
    const cached = this.resultCache.get(cacheKey);
    if (cached) return cached;
    const all = this.rows(name);
    // Only `authorizationresources` honours authorizationScopeFilter; other tables read at and below the scope.
    const allowed = new Set<ScopeRelation>(name === 'roleAssignments' ? SCOPE_FILTERS[filter] : ['at', 'below']);
    const out: Row[] = [];
    for (let i = 0; i < all.rows.length; i++) {
      const sub = all.subscription[i];
      let relation: ScopeRelation | undefined;
      if (sub) {
        if (!scope.subscriptions.has(sub)) continue;
        if (scope.tenant) relation = 'at';
        else relation = all.atSubscription[i] && scope.atSubscriptions.has(sub) ? 'at' : 'below';
      } else {
        const g = all.managementGroup[i];
        if (scope.tenant) relation = 'at';
        else if (scope.atGroups.has(g)) relation = 'at';
        else if (scope.belowGroups.has(g)) relation = 'below';
        else if (scope.aboveGroups.has(g)) relation = 'above';
      }
      if (relation && allowed.has(relation)) out.push(all.rows[i]);
    }
    if (this.resultCache.size > 32) this.resultCache.clear();
    this.resultCache.set(cacheKey, out);
    return out;
  }

  invalidateResults(): void {
    this.resultCache.clear();
  }

  private rows(name: QueryName): QueryRows {
    let rows = this.rowsCache.get(name);
    if (!rows) {
      rows =
        name === 'clusters'
          ? this.clusterRows()
          : name === 'roleAssignments'
            ? this.roleAssignmentRows()
            : name === 'clusterEvents'
              ? this.clusterEventRows()
              : this.chainRows();
      this.rowsCache.set(name, rows);
    }
    return rows;
  }

  private tenantOf(subscription: string): string {
    return (
      this.fleet.subscriptions.find((s) => s.subscriptionId.toLowerCase() === subscription)?.tenantId ??
      this.fleet.tenantId
    );
  }

  private sorted(rows: Row[], managementGroupOf: (row: Row) => string = () => ''): QueryRows {
    rows.sort(byId);
    return {
      rows,
      subscription: rows.map((r) => subscriptionOf(String(r.id))),
      managementGroup: rows.map(managementGroupOf),
      atSubscription: rows.map(() => false),
    };
  }

  private clusterRows(): QueryRows {
    const tenants = new Map<string, string>();
    const rows: Row[] = [];
    for (const c of this.fleet.clusters) {
      if (String(c.type).toLowerCase() !== CLUSTER_TYPE) continue;
      const sub = subscriptionOf(c.id);
      let tenant = tenants.get(sub);
      if (tenant === undefined) {
        tenant = this.tenantOf(sub);
        tenants.set(sub, tenant);
      }
      const p = c.properties ?? {};
      const packed: Row = {};
      for (const key of PACKED_CLUSTER_PROPERTIES) packed[key] = dyn(p[key]);
      rows.push({
        id: c.id,
        name: c.name,
        type: CLUSTER_TYPE,
        location: c.location.toLowerCase().replace(/\s+/g, ''),
        resourceGroup: resourceGroupOf(c.id).toLowerCase(),
        subscriptionId: sub,
        tenantId: tenant,
        sku: dyn(c.sku),
        tags: c.tags ?? {},
        properties: packed,
      });
    }
    return this.sorted(rows);
  }

  private roleAssignmentRows(): QueryRows {
    const roles = new Set(Object.keys(AKS_ACCESS_ROLES));
    const rows: Row[] = [];
    const groupOf = new Map<Row, string>();
    for (const a of this.fleet.roleAssignments) {
      if (String(a.type).toLowerCase() !== ROLE_ASSIGNMENT_TYPE) continue;
      const roleDefinitionId = String(a.properties?.roleDefinitionId ?? '').toLowerCase();
      const scope = String(a.properties?.scope ?? '').toLowerCase();
      const roleGuid = roleDefinitionId.split('/').at(-1) ?? '';
      if (!roles.has(roleGuid)) continue;
      const relevant =
        !scope.includes('/providers/') ||
        scope.includes('/providers/microsoft.containerservice/managedclusters/') ||
        scope.startsWith('/providers/microsoft.management/managementgroups/');
      if (!relevant) continue;
      const row: Row = {
        id: a.id,
        principalId: String(a.properties.principalId ?? ''),
        principalType: String(a.properties.principalType ?? ''),
        roleDefinitionId,
        scope,
      };
      const mg = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)/.exec(scope);
      groupOf.set(row, mg ? mg[1] : '');
      rows.push(row);
    }
    // A management-group assignment belongs to no subscription: it is scoped by its management group.
    const out = this.sorted(rows, (r) => groupOf.get(r) ?? '');
    out.subscription = out.rows.map((r) => (groupOf.get(r) ? '' : subscriptionOf(String(r.scope))));
    out.atSubscription = out.rows.map((r) => /^\/subscriptions\/[^/]+$/.test(String(r.scope)));
    return out;
  }

  /** `containerserviceeventresources`: the fleet's AKS notifications about Kubernetes versions, projected. */
  private clusterEventRows(): QueryRows {
    const rows: Row[] = [];
    for (const e of this.fleet.containerServiceEvents ?? []) {
      if (String(e.type).toLowerCase() !== 'microsoft.containerservice/managedclusters/scheduledevents') continue;
      const p = e.properties ?? {};
      if (!String(p.eventType ?? '').startsWith('KubernetesVersion')) continue;
      rows.push({
        id: e.id,
        subscriptionId: subscriptionOf(e.id),
        eventType: String(p.eventType ?? ''),
        kubernetesVersion: String(p.kubernetesVersion ?? ''),
        eventTime: String(p.lastUpdateTime ?? ''),
        eventDetails: String(p.eventDetails ?? ''),
      });
    }
    return this.sorted(rows);
  }

  private chainRows(): QueryRows {
    const rows: Row[] = this.fleet.subscriptions.map((s) => ({
      id: `/subscriptions/${s.subscriptionId}`,
      subscriptionId: s.subscriptionId,
      name: s.displayName,
      managementGroupAncestorsChain: s.managementGroupAncestorsChain.map((g) => ({ ...g })),
    }));
    return this.sorted(rows);
  }
}

function badRequest(code: string, message: string): SimResponse {
  return json(400, {
    error: {
      code: 'BadRequest',
      message: 'Please provide below info when asking for support: timestamp = ' + new Date().toISOString(),
      details: [{ code, message }],
    },
  });
}

/** The 403 of a request none of whose scopes the caller can read: it names no subscription. */
function accessDenied(): SimResponse {
  return json(403, {
    error: {
      code: 'AccessDenied',
      message: 'Access is denied to the requested resource. The user might not have enough permission.',
    },
  });
}

/** The 429 of the real service (body as quoted in arg/RateLimiting-429.response.json). */
export function rateLimited(headers: Record<string, string>): SimResponse {
  return json(
    429,
    {
      error: {
        code: 'RateLimiting',
        message: `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = 00000000-0000-0000-0000-000000000000.`,
        details: [
          {
            code: 'RateLimiting',
            message:
              'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.',
          },
        ],
      },
    },
    headers,
  );
}

function decodeSkipToken(value: unknown): SkipToken | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const token = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as SkipToken;
    if (token.v !== 1 || !Number.isInteger(token.o) || token.o < 0 || !Number.isInteger(token.t)) return undefined;
    return token;
  } catch {
    return undefined;
  }
}

// The principal directory: who the principal IDs of role assignments and admin groups are, through Microsoft Graph.
import type { Client } from '@microsoft/microsoft-graph-client';
import type { DirectoryObject, MemberCountLookup, PrincipalKind, PrincipalLookup, ScanProblem } from '../model';
import { isGuid } from './roleAssignments';

/** getByIds accepts at most 1000 IDs a call. */
export const GET_BY_IDS_LIMIT = 1000;
/** `$batch` accepts at most 20 requests. */
export const BATCH_LIMIT = 20;

/**
 * The least-privileged application permission documented for `directoryObjects/getByIds`; with narrower ones Graph
 * returns some objects with only `id` and `@odata.type`.
 */
export const PRINCIPALS_PERMISSION = 'Directory.Read.All';
export const MEMBERS_PERMISSION = 'Directory.Read.All';

export const DIRECTORY_SELECT = [
  'id',
  'displayName',
  'userPrincipalName',
  'userType',
  'accountEnabled',
  'securityEnabled',
  'isAssignableToRole',
];

const KINDS: Record<string, PrincipalKind> = {
  '#microsoft.graph.user': 'user',
  '#microsoft.graph.group': 'group',
  '#microsoft.graph.serviceprincipal': 'servicePrincipal',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Graph directory object (`@odata.type` + properties) as a DirectoryObject; undefined without a string id. */
export function toDirectoryObject(item: unknown): DirectoryObject | undefined {
  if (!isObject(item) || typeof item.id !== 'string' || item.id.trim() === '') return undefined;
  const type = typeof item['@odata.type'] === 'string' ? item['@odata.type'].toLowerCase() : '';
  const str = (k: string) => (typeof item[k] === 'string' ? (item[k] as string) : undefined);
  const bool = (k: string) => (typeof item[k] === 'boolean' ? (item[k] as boolean) : undefined);
  return {
    id: item.id.trim().toLowerCase(),
    kind: KINDS[type] ?? 'other',
    displayName: str('displayName'),
    userPrincipalName: str('userPrincipalName'),
    userType: str('userType'),
    accountEnabled: bool('accountEnabled'),
    securityEnabled: bool('securityEnabled'),
    isAssignableToRole: bool('isAssignableToRole'),
  };
}

export interface PrincipalDirectoryOptions {
  /** getByIds calls in flight at once (default 4). */
  concurrency?: number;
  /** Rounds of `$batch` calls before a throttled member count is given up as unreadable (default 5). */
  batchAttempts?: number;
  /** Upper bound on one wait for an inner Retry-After, in milliseconds (default 60000). */
  maxRetryAfterInMs?: number;
  /**
   * Attempts of one getByIds call that failed transiently (a dropped connection, 5xx or 429 past the client's own
   * retries, a malformed answer) before its principals are given up as unreadable (default 3).
   */
  getByIdsAttempts?: number;
  /** First back-off between those attempts, doubled each time, in milliseconds (default 1000). */
  getByIdsRetryDelayInMs?: number;
  /**
   * Groups already known to be groups (resolved by an earlier load) whose members this load counts with
   * `countMembersOf`'s.
   */
  knownGroups?: Iterable<string>;
  /**
   * Count only whole `$batch` calls' worth of groups (multiples of 20); the rest come back as `deferredGroups`, for
   * a later load to count with its own (so that two loads make no more calls than one).
   */
  wholeBatchesOnly?: boolean;
  /** Groups whose transitive members are counted (admin groups); counted only when they resolve as groups. */
  countMembersOf?: Iterable<string>;
}

interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
  message?: string;
}

function describeError(err: unknown): { status: number; text: string } {
  const e = (isObject(err) ? err : {}) as GraphErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : -1;
  const code = e.code ? ` ${e.code}` : '';
  const message = typeof e.message === 'string' && e.message ? `: ${e.message.slice(0, 300)}` : '';
  return { status, text: status > 0 ? `HTTP ${status}${code}${message}` : `request failed${code}${message}` };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs tasks with at most `limit` in flight. */
async function inPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function header(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && typeof v === 'string') return v;
  return undefined;
}

/** Retry-After in seconds (Graph sends fractions such as `2.128`) or an HTTP date, as milliseconds. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A `$count` body inside a batch response: a JSON number, a numeric string, or (as Graph encodes non-JSON bodies in
 * batches) the base64 of the text.
 */
export function parseCountBody(body: unknown): number | undefined {
  if (typeof body === 'number') return Number.isInteger(body) && body >= 0 ? body : undefined;
  if (typeof body !== 'string') return undefined;
  const text = body.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, 'base64').toString('utf8').trim();
    if (/^\d+$/.test(decoded)) return Number(decoded);
  }
  return undefined;
}

/**
 * What the directory says about principal IDs and group sizes. IDs are compared in lower case. An ID is `absent`
 * only when Graph answered for it and left it out; anything else that went wrong makes it `unreadable`.
 */
export class PrincipalDirectory {
  constructor(
    private readonly principals: ReadonlyMap<string, PrincipalLookup>,
    private readonly memberCounts: ReadonlyMap<string, MemberCountLookup>,
    private readonly defaults: { principal: PrincipalLookup; memberCount: MemberCountLookup },
  ) {}

  principal(id: string): PrincipalLookup {
    // Role assignment records carry lower-case IDs already: try them as they are first.
    const exact = this.principals.get(id);
    if (exact) return exact;
    const key = id.trim().toLowerCase();
    const found = this.principals.get(key);
    if (found) return found;
    if (!isGuid(key)) return { state: 'unreadable', reason: `"${id}" is not a directory object ID (a GUID)` };
    return this.defaults.principal;
  }

  transitiveMemberCount(groupId: string): MemberCountLookup {
    return this.memberCounts.get(groupId.trim().toLowerCase()) ?? this.defaults.memberCount;
  }

  /** The ID (lower case) was looked up by this directory. */
  looked(id: string): boolean {
    return this.principals.has(id);
  }

  /** Two directories loaded from the same Graph for different IDs, as one (`first` wins where both answer). */
  static combine(first: PrincipalDirectory, second: PrincipalDirectory): PrincipalDirectory {
    return new PrincipalDirectory(
      new Map([...second.principals, ...first.principals]),
      new Map([...second.memberCounts, ...first.memberCounts]),
      first.defaults,
    );
  }

  /** A directory built from objects already in hand (an export): listed IDs are found, others absent. */
  static fromObjects(objects: Iterable<DirectoryObject>, memberCountReason: string): PrincipalDirectory {
    const map = new Map<string, PrincipalLookup>();
    for (const object of objects) map.set(object.id.toLowerCase(), { state: 'found', object });
    return new PrincipalDirectory(map, new Map(), {
      principal: { state: 'absent' },
      memberCount: { state: 'not_checked', reason: memberCountReason },
    });
  }

  /**
   * Resolves principal IDs with `POST /directoryObjects/getByIds` (1000 a call) and counts the transitive members
   * of `countMembersOf` groups with `$batch` (20 `$count` requests a call). Returns the problems met.
   */
  static async load(
    graph: Client,
    principalIds: Iterable<string>,
    options: PrincipalDirectoryOptions = {},
  ): Promise<{ directory: PrincipalDirectory; problems: ScanProblem[]; deferredGroups: string[] }> {
    const problems: ScanProblem[] = [];
    const principals = new Map<string, PrincipalLookup>();
    const wanted = new Set<string>();
    for (const raw of principalIds) {
      const id = raw.trim().toLowerCase();
      if (isGuid(id)) wanted.add(id);
    }
    await resolvePrincipals(graph, [...wanted], options, principals, problems);

    const groups = new Set<string>();
    for (const raw of options.countMembersOf ?? []) {
      const id = raw.trim().toLowerCase();
      const lookup = principals.get(id);
      if (lookup?.state === 'found' && lookup.object.kind === 'group') groups.add(id);
    }
    for (const raw of options.knownGroups ?? []) groups.add(raw.trim().toLowerCase());
    let counted = [...groups];
    let deferredGroups: string[] = [];
    if (options.wholeBatchesOnly) {
      const whole = Math.floor(counted.length / BATCH_LIMIT) * BATCH_LIMIT;
      deferredGroups = counted.slice(whole);
      counted = counted.slice(0, whole);
    }
    const memberCounts = new Map<string, MemberCountLookup>();
    await countTransitiveMembers(graph, counted, options, memberCounts, problems);

    const directory = new PrincipalDirectory(principals, memberCounts, {
      // IDs nobody asked for: the run did not look them up, so nothing can be said.
      principal: { state: 'unreadable', reason: 'this principal was not looked up in the directory' },
      memberCount: { state: 'not_checked', reason: 'member counts are read only for admin groups that are groups' },
    });
    return { directory, problems, deferredGroups };
  }
}

/** A refusal or a bad request will answer the same again; anything else (network, 5xx, 429, malformed) may not. */
const FINAL_STATUSES = new Set([400, 401, 403, 404]);

async function getByIds(graph: Client, batch: string[], options: PrincipalDirectoryOptions): Promise<unknown[]> {
  const attempts = Math.max(1, options.getByIdsAttempts ?? 3);
  let delay = options.getByIdsRetryDelayInMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      const response: unknown = await graph
        .api('/directoryObjects/getByIds')
        .select(DIRECTORY_SELECT)
        .post({ ids: batch, types: ['user', 'group', 'servicePrincipal'] });
      const value = isObject(response) ? response.value : undefined;
      if (!Array.isArray(value)) throw { statusCode: -1, message: 'the answer has no "value" array' };
      return value;
    } catch (err) {
      if (attempt >= attempts || FINAL_STATUSES.has(describeError(err).status)) throw err;
      await sleep(delay * (0.75 + Math.random() / 2));
      delay *= 2;
    }
  }
}

async function resolvePrincipals(
  graph: Client,
  ids: string[],
  options: PrincipalDirectoryOptions,
  out: Map<string, PrincipalLookup>,
  problems: ScanProblem[],
): Promise<void> {
  const failures = new Map<string, { reason: string; ids: number }>();
  await inPool(chunk(ids, GET_BY_IDS_LIMIT), options.concurrency ?? 4, async (batch) => {
    let value: unknown[];
    try {
      value = await getByIds(graph, batch, options);
    } catch (err) {
      const { status, text } = describeError(err);
      const reason =
        status === 401 || status === 403
          ? `Microsoft Graph refused directoryObjects/getByIds (${text}); the identity needs ${PRINCIPALS_PERMISSION}`
          : `Microsoft Graph directoryObjects/getByIds failed (${text})`;
      for (const id of batch) out.set(id, { state: 'unreadable', reason });
      const seen = failures.get(reason);
      failures.set(reason, { reason, ids: (seen?.ids ?? 0) + batch.length });
      return;
    }
    const asked = new Set(batch);
    let unusable = 0;
    for (const item of value) {
      const object = toDirectoryObject(item);
      if (!object) unusable++;
      else if (asked.has(object.id)) out.set(object.id, { state: 'found', object });
    }
    // Graph leaves out IDs it does not know: those principals were deleted. An item without an id could be any of
    // the missing ones, so then nothing missing can be called deleted.
    const missing: PrincipalLookup =
      unusable === 0
        ? { state: 'absent' }
        : {
            state: 'unreadable',
            reason: `Microsoft Graph directoryObjects/getByIds answered ${unusable} object(s) without an id`,
          };
    for (const id of batch) if (!out.has(id)) out.set(id, missing);
  });
  for (const f of failures.values()) {
    problems.push({
      source: 'graph',
      scope: 'directoryObjects/getByIds',
      message: `${f.ids} principal(s) unreadable: ${f.reason}`,
    });
  }
}

async function countTransitiveMembers(
  graph: Client,
  groupIds: string[],
  options: PrincipalDirectoryOptions,
  out: Map<string, MemberCountLookup>,
  problems: ScanProblem[],
): Promise<void> {
  const attempts = Math.max(1, options.batchAttempts ?? 5);
  const maxWait = options.maxRetryAfterInMs ?? 60_000;
  const concurrency = options.concurrency ?? 4;
  let pending = groupIds;
  const lastFailure = new Map<string, string>();
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    const retry: string[] = [];
    let waitMs = 0;
    await inPool(chunk(pending, BATCH_LIMIT), concurrency, async (batch) => {
      const requests = batch.map((id, i) => ({
        id: String(i + 1),
        method: 'GET',
        url: `/groups/${id}/transitiveMembers/$count`,
        headers: { ConsistencyLevel: 'eventual' },
      }));
      let responses: unknown;
      try {
        const answer: unknown = await graph.api('/$batch').post({ requests });
        responses = isObject(answer) ? answer.responses : undefined;
        if (!Array.isArray(responses)) throw { statusCode: -1, message: 'the $batch answer has no "responses" array' };
      } catch (err) {
        const { status, text } = describeError(err);
        for (const id of batch) {
          if (status === 401 || status === 403) {
            out.set(id, {
              state: 'unreadable',
              reason: `Microsoft Graph refused the member count (${text}); the identity needs ${MEMBERS_PERMISSION}`,
            });
          } else {
            lastFailure.set(id, `Microsoft Graph $batch failed (${text})`);
            retry.push(id);
          }
        }
        // The client's RetryHandler already waited on this call's own 429/503; back off further before the next round.
        if (status !== 401 && status !== 403) waitMs = Math.max(waitMs, Math.min(1000 * attempt, maxWait));
        return;
      }
      const byId = new Map<string, Record<string, unknown>>();
      for (const r of responses) if (isObject(r) && r.id !== undefined) byId.set(String(r.id), r);
      batch.forEach((groupId, i) => {
        const r = byId.get(String(i + 1));
        const status = r && typeof r.status === 'number' ? r.status : Number(r?.status);
        if (!r || !Number.isFinite(status)) {
          lastFailure.set(groupId, 'the $batch answer had no response for this request');
          retry.push(groupId);
        } else if (status >= 200 && status < 300) {
          const count = parseCountBody(r.body);
          out.set(
            groupId,
            count === undefined
              ? { state: 'unreadable', reason: 'the transitive member count in the answer is not a number' }
              : { state: 'known', count },
          );
        } else if (status === 401 || status === 403) {
          out.set(groupId, {
            state: 'unreadable',
            reason: `Microsoft Graph refused the member count (HTTP ${status}); the identity needs ${MEMBERS_PERMISSION}`,
          });
        } else if (status === 429 || status >= 500) {
          // Each throttled item says how long to wait; the next round waits for the longest of them.
          const after = retryAfterMs(header(r.headers, 'retry-after')) ?? 1000 * attempt;
          waitMs = Math.max(waitMs, Math.min(after, maxWait));
          lastFailure.set(groupId, `Microsoft Graph answered HTTP ${status} to the member count`);
          retry.push(groupId);
        } else {
          out.set(groupId, {
            state: 'unreadable',
            reason: `Microsoft Graph answered HTTP ${status} to the member count`,
          });
        }
      });
    });
    pending = retry;
    if (pending.length > 0 && attempt < attempts) await sleep(waitMs);
  }
  for (const id of pending) {
    out.set(id, {
      state: 'unreadable',
      reason: `${lastFailure.get(id) ?? 'not answered'}, still after ${attempts} attempts`,
    });
  }
  const unreadable = groupIds.filter((id) => out.get(id)?.state === 'unreadable');
  if (unreadable.length > 0) {
    const first = out.get(unreadable[0]);
    problems.push({
      source: 'graph',
      scope: 'groups/transitiveMembers/$count',
      message: `${unreadable.length} admin group member count(s) unreadable: ${first?.state === 'unreadable' ? first.reason : ''}`,
    });
  }
}

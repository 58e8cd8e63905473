// Paged Resource Graph reads that respect the caller's quota: $top 1000 with $skipToken, the x-ms-user-quota-*
// headers honoured before the quota runs out, 429 / 5xx / dropped connections retried with backoff, and forbidden
// subscriptions isolated so the rest of the scope is still read. One reader per run: every query shares its quota.
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { ScanProblem } from '../model';
import {
  AbortedError,
  errorCodes,
  errorText,
  parseQuotaResetsAfter,
  parseRetryAfter,
  type ErrorLike,
} from './resourceGraphAnswers';

export { errorCodes, parseQuotaResetsAfter, parseRetryAfter } from './resourceGraphAnswers';

export interface ResourceGraphReaderOptions {
  /** Rows per page (Resource Graph allows at most 1000). */
  pageSize?: number;
  /** Attempts per page, the first included, before the page counts as failed (429 answers are counted apart). */
  maxAttempts?: number;
  /**
   * 429 answers one page may receive before it counts as failed. Throttling says "come back later", not "broken":
   * it gets a larger budget than errors, each wait as the service asks (Retry-After) or backing off.
   */
  maxThrottledAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  baseDelayMs?: number;
  /** Upper bound of one backoff delay (a server's Retry-After may ask for more, up to maxRetryAfterMs). */
  maxDelayMs?: number;
  /** A Retry-After or quota reset longer than this is not waited for: the page fails instead. */
  maxRetryAfterMs?: number;
  /** Added to the quota reset time: the header has whole-second resolution. */
  quotaMarginMs?: number;
  /** Subscriptions named in one request (at most 1000); a longer list is read in parts. */
  maxSubscriptionsPerRequest?: number;
  /** Cancels waits and requests; a cancelled read is reported incomplete. */
  abortSignal?: AbortSignal;
  log?: (line: string) => void;
}

export type AuthorizationScopeFilter = 'AtScopeAndBelow' | 'AtScopeAndAbove' | 'AtScopeExact' | 'AtScopeAboveAndBelow';

/** Per-query options. */
export interface QueryAllOptions {
  /**
   * Which role assignments an `authorizationresources` query returns relative to the requested scopes (documented
   * for authorizationresources and policyresources only: never send it with another table). Resource Graph's
   * default, AtScopeAndBelow, leaves out assignments inherited from management groups above a subscription scope;
   * AtScopeAboveAndBelow includes them.
   */
  authorizationScopeFilter?: AuthorizationScopeFilter;
  /**
   * Receives each page's rows as it arrives, instead of the answer holding them: the result's `rows` is then empty
   * (its problems still count the rows read).
   */
  onPage?: (rows: unknown[]) => void;
}

export interface ResourceGraphScope {
  subscriptions?: string[];
  managementGroups?: string[];
}

export interface QueryResult<T> {
  rows: T[];
  complete: boolean;
  problems: ScanProblem[];
  /** Error codes of the answer that stopped the read (the ARM code and its details' codes), when one did. */
  errorCodes?: string[];
}

/** What the reader did; the benchmark reports it. */
export interface ResourceGraphStats {
  /** Requests sent (retries included). */
  calls: number;
  /** Requests that were retries of a failed page. */
  retries: number;
  /** Times the reader paused because the quota was spent, and for how long in total. */
  quotaWaits: number;
  quotaWaitMs: number;
  /** 429 answers received. */
  throttled: number;
}

/** Subscriptions named in one request (Resource Graph's limit). */
export const MAX_SUBSCRIPTIONS_PER_REQUEST = 1000;

const DEFAULTS = {
  pageSize: 1000,
  maxAttempts: 6,
  maxThrottledAttempts: 20,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  quotaMarginMs: 250,
  maxSubscriptionsPerRequest: MAX_SUBSCRIPTIONS_PER_REQUEST,
};

function describeScope(scope: ResourceGraphScope): string {
  if (scope.managementGroups?.length) return `management groups ${scope.managementGroups.join(', ')}`;
  if (scope.subscriptions?.length) {
    const subs = scope.subscriptions;
    return subs.length <= 3 ? `subscriptions ${subs.join(', ')}` : `${subs.length} subscriptions`;
  }
  return 'the tenant';
}

function scopeKey(scope: ResourceGraphScope): string {
  if (scope.managementGroups?.length)
    return scope.managementGroups.map((m) => `/providers/microsoft.management/managementgroups/${m}`).join(',');
  if (scope.subscriptions?.length) {
    return scope.subscriptions.length === 1 ? `/subscriptions/${scope.subscriptions[0]}` : describeScope(scope);
  }
  return 'tenant';
}

/** Request options that stay the same for every page of one query. */
type RequestOptions = {
  authorizationScopeFilter?: AuthorizationScopeFilter;
  onPage?: (rows: unknown[]) => void;
};

type PageOutcome =
  | { ok: true; data: unknown; skipToken?: string; subscriptionLimitHit: boolean }
  | { ok: false; forbidden: boolean; error: unknown; attempts: number };

/**
 * Reads Resource Graph queries to the end. Never throws for service failures: what could not be read is returned as
 * problems with `complete: false`, and the rows read so far are kept.
 */
export class ResourceGraphReader {
  readonly stats: ResourceGraphStats = { calls: 0, retries: 0, quotaWaits: 0, quotaWaitMs: 0, throttled: 0 };
  private readonly opts: typeof DEFAULTS;
  private readonly abortSignal?: AbortSignal;
  private readonly log: (line: string) => void;
  /** Quota left in the current window as last reported (minus requests sent since); undefined = not known yet. */
  private quotaRemaining: number | undefined;
  /** When the current quota window resets (epoch ms). */
  private quotaResetsAt = 0;
  /** Subscriptions refused (403) in this run, with the problem first reported for each. */
  private readonly forbidden = new Map<string, ScanProblem>();

  constructor(
    private readonly client: ResourceGraphClient,
    options: ResourceGraphReaderOptions = {},
  ) {
    this.opts = {
      pageSize: Math.min(1000, Math.max(1, options.pageSize ?? DEFAULTS.pageSize)),
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      maxThrottledAttempts: Math.max(1, options.maxThrottledAttempts ?? DEFAULTS.maxThrottledAttempts),
      baseDelayMs: Math.max(0, options.baseDelayMs ?? DEFAULTS.baseDelayMs),
      maxDelayMs: Math.max(0, options.maxDelayMs ?? DEFAULTS.maxDelayMs),
      maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs),
      quotaMarginMs: Math.max(0, options.quotaMarginMs ?? DEFAULTS.quotaMarginMs),
      maxSubscriptionsPerRequest: Math.min(
        MAX_SUBSCRIPTIONS_PER_REQUEST,
        Math.max(1, options.maxSubscriptionsPerRequest ?? DEFAULTS.maxSubscriptionsPerRequest),
      ),
    };
    this.abortSignal = options.abortSignal;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Runs `query` over `scope` (no scope = every subscription the caller can read) and returns every row.
   * With an explicit subscription list, a subscription the caller may not read is reported and left out, and the
   * others are still read.
   */
  async queryAll<T>(query: string, scope: ResourceGraphScope, options: QueryAllOptions = {}): Promise<QueryResult<T>> {
    const filter = options.authorizationScopeFilter;
    const request: RequestOptions = {
      ...(filter ? { authorizationScopeFilter: filter } : {}),
      ...(options.onPage ? { onPage: options.onPage } : {}),
    };
    const subscriptions = scope.subscriptions?.filter((s) => s.trim().length > 0);
    const managementGroups = scope.managementGroups?.filter((m) => m.trim().length > 0);
    if (managementGroups && managementGroups.length > 0) {
      return this.readScope<T>(query, { managementGroups }, false, request);
    }
    if (subscriptions && subscriptions.length > 0) {
      const per = this.opts.maxSubscriptionsPerRequest;
      if (subscriptions.length <= per) return this.readSubscriptions<T>(query, subscriptions, request);
      // Resource Graph takes a bounded number of subscriptions per request: read the list in parts.
      const merged: QueryResult<T> = { rows: [], complete: true, problems: [] };
      for (let i = 0; i < subscriptions.length; i += per) {
        const part = await this.readSubscriptions<T>(query, subscriptions.slice(i, i + per), request);
        for (const row of part.rows) merged.rows.push(row);
        merged.problems.push(...part.problems);
        if (!part.complete) merged.complete = false;
      }
      return merged;
    }
    return this.readScope<T>(query, {}, false, request);
  }

  /**
   * An explicit subscription list. Resource Graph leaves out the subscriptions the caller cannot read and answers
   * 403 only when it can read none of them (troubleshooting guide, "No read permission to all subscriptions in
   * list"): a 403 here means every listed subscription is unreadable. (The omitted ones of a successful answer are
   * found by comparing with `resourcecontainers`: see readInventory.)
   */
  private async readSubscriptions<T>(
    query: string,
    requested: string[],
    request: RequestOptions,
  ): Promise<QueryResult<T>> {
    // A subscription refused earlier in the run is not asked again: the same problem is reported without a call.
    const known = requested.filter((s) => this.forbidden.has(s.toLowerCase()));
    const subscriptions = known.length > 0 ? requested.filter((s) => !this.forbidden.has(s.toLowerCase())) : requested;
    const knownProblems = known.map((s) => this.forbidden.get(s.toLowerCase())!);
    if (subscriptions.length === 0) return { rows: [], complete: false, problems: knownProblems };
    const first = await this.readScope<T>(query, { subscriptions }, true, request);
    if (first.forbidden === undefined) {
      return {
        rows: first.rows,
        complete: first.complete && known.length === 0,
        problems: [...knownProblems, ...first.problems],
      };
    }
    return {
      rows: [],
      complete: false,
      problems: [...knownProblems, ...subscriptions.map((sub) => this.forbiddenProblem(sub, first.forbidden!.text))],
    };
  }

  /**
   * Records a subscription this run cannot read (found missing from an answer): later queries of the run leave it
   * out and report `problem` for it.
   */
  markUnreadable(subscriptionId: string, problem: ScanProblem): void {
    if (!this.forbidden.has(subscriptionId.toLowerCase())) this.forbidden.set(subscriptionId.toLowerCase(), problem);
  }

  private forbiddenProblem(subscriptionId: string, text: string): ScanProblem {
    const problem: ScanProblem = {
      source: 'resourceGraph',
      scope: `/subscriptions/${subscriptionId}`,
      message: `subscription ${subscriptionId} is no longer readable (access denied: ${text}); its resources are missing from this run and its clusters keep their last known state`,
    };
    this.forbidden.set(subscriptionId.toLowerCase(), problem);
    return problem;
  }

  /** Subscriptions (lower case) that refused a query in this run. */
  get forbiddenSubscriptions(): ReadonlySet<string> {
    return new Set(this.forbidden.keys());
  }

  /**
   * Reads every page of one request scope. With `reportForbidden`, a 403 is returned to the caller (which narrows
   * it down) instead of becoming a problem.
   */
  private async readScope<T>(
    query: string,
    scope: ResourceGraphScope,
    reportForbidden: boolean,
    request: RequestOptions,
  ): Promise<QueryResult<T> & { forbidden?: { message?: string; text: string } }> {
    const rows: T[] = [];
    // Rows read so far (kept in `rows`, or handed to request.onPage).
    let read = 0;
    let skipToken: string | undefined;
    let page = 0;
    for (;;) {
      page++;
      const outcome = await this.readPage(query, scope, skipToken, request);
      if (!outcome.ok) {
        const text = errorText(outcome.error);
        if (outcome.forbidden && reportForbidden) {
          return {
            rows: [],
            complete: false,
            problems: [],
            forbidden: { message: (outcome.error as ErrorLike)?.message, text },
          };
        }
        const what = outcome.forbidden
          ? 'access denied'
          : `page ${page} failed after ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}`;
        return {
          rows,
          complete: false,
          errorCodes: errorCodes(outcome.error),
          problems: [
            {
              source: 'resourceGraph',
              scope: scopeKey(scope),
              message: `Resource Graph query over ${describeScope(scope)} is incomplete: ${what} (${text}); ${read} rows were read before it`,
            },
          ],
        };
      }
      if (!Array.isArray(outcome.data)) {
        return {
          rows,
          complete: false,
          problems: [
            {
              source: 'resourceGraph',
              scope: scopeKey(scope),
              message: `Resource Graph answered page ${page} over ${describeScope(scope)} without a "data" array`,
            },
          ],
        };
      }
      read += outcome.data.length;
      if (request.onPage) request.onPage(outcome.data);
      else for (const row of outcome.data as T[]) rows.push(row);
      if (outcome.subscriptionLimitHit) {
        // The scope held more subscriptions than one query covers: the answer is for the first ones only, and which
        // were left out is not said (throttling guidance, x-ms-tenant-subscription-limit-hit).
        return {
          rows,
          complete: false,
          problems: [
            {
              source: 'resourceGraph',
              scope: scopeKey(scope),
              message: `Resource Graph answered over ${describeScope(scope)} for its first 10,000 subscriptions only (x-ms-tenant-subscription-limit-hit); the others were not read: scope the scan by management groups or subscription lists of fewer`,
            },
          ],
        };
      }
      if (!outcome.skipToken) return { rows, complete: true, problems: [] };
      if (outcome.skipToken === skipToken) {
        return {
          rows,
          complete: false,
          problems: [
            {
              source: 'resourceGraph',
              scope: scopeKey(scope),
              message: `Resource Graph returned the same $skipToken twice over ${describeScope(scope)}; paging stopped after ${read} rows`,
            },
          ],
        };
      }
      skipToken = outcome.skipToken;
    }
  }

  /** One page, retried on throttling, server errors and dropped connections. */
  private async readPage(
    query: string,
    scope: ResourceGraphScope,
    skipToken: string | undefined,
    request: RequestOptions,
  ): Promise<PageOutcome> {
    let attempt = 0;
    let throttled = 0;
    for (;;) {
      attempt++;
      if (this.abortSignal?.aborted)
        return { ok: false, forbidden: false, error: new AbortedError(), attempts: attempt - 1 };
      try {
        await this.acquireQuota();
      } catch (error) {
        return { ok: false, forbidden: false, error, attempts: attempt - 1 };
      }
      this.stats.calls++;
      let limitHit = false;
      if (attempt > 1) this.stats.retries++;
      try {
        const response = await this.client.resources(
          {
            query,
            ...(scope.subscriptions ? { subscriptions: scope.subscriptions } : {}),
            ...(scope.managementGroups ? { managementGroups: scope.managementGroups } : {}),
            options: {
              top: this.opts.pageSize,
              resultFormat: 'objectArray',
              ...(request.authorizationScopeFilter
                ? { authorizationScopeFilter: request.authorizationScopeFilter }
                : {}),
              // Never allowPartialScopes: it cuts an oversized management group to its first subscriptions without
              // saying which; TooManySubscriptionsUnderScope is handled by the caller instead.
              ...(skipToken ? { skipToken } : {}),
            },
          },
          {
            onResponse: (raw) => {
              this.noteQuota(raw.headers);
              limitHit = raw.headers?.get('x-ms-tenant-subscription-limit-hit')?.trim().toLowerCase() === 'true';
            },
            ...(this.abortSignal ? { abortSignal: this.abortSignal } : {}),
          },
        );
        if (!Array.isArray(response.data)) {
          // A cut-short or garbled answer: worth another try, like a dropped connection.
          throw Object.assign(new Error('Resource Graph answered without a "data" array'), { code: 'MALFORMED' });
        }
        return {
          ok: true,
          data: response.data,
          skipToken: response.skipToken || undefined,
          subscriptionLimitHit: limitHit,
        };
      } catch (error) {
        const e = error as ErrorLike;
        if (this.abortSignal?.aborted || e?.name === 'AbortError') {
          return { ok: false, forbidden: false, error, attempts: attempt };
        }
        const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
        if (status === 403) return { ok: false, forbidden: true, error, attempts: attempt };
        const malformed = e?.code === 'PARSE_ERROR' || e?.code === 'MALFORMED';
        const retriable = status === undefined || malformed || status === 429 || status === 408 || status >= 500;
        if (status === 429) throttled++;
        const exhausted =
          status === 429 ? throttled >= this.opts.maxThrottledAttempts : attempt - throttled >= this.opts.maxAttempts;
        if (!retriable || exhausted) {
          return { ok: false, forbidden: false, error, attempts: attempt };
        }
        if (status === 429) this.stats.throttled++;
        const retryAfter = parseRetryAfter(e.response?.headers?.get('retry-after'));
        if (retryAfter !== undefined && retryAfter > this.opts.maxRetryAfterMs) {
          return { ok: false, forbidden: false, error, attempts: attempt };
        }
        const delay = retryAfter ?? this.backoff(attempt);
        this.log(`resourceGraph: ${errorText(error)}; retry ${attempt} in ${delay} ms`);
        try {
          await this.sleep(delay);
        } catch (abort) {
          return { ok: false, forbidden: false, error: abort, attempts: attempt };
        }
      }
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
    // Equal jitter: at least half the ceiling, so retries from several readers spread out but still back off.
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** Reads the quota headers of every answer, errors included. */
  private noteQuota(headers: { get(name: string): string | undefined } | undefined): void {
    if (!headers) return;
    const remaining = headers.get('x-ms-user-quota-remaining');
    const resetsAfter = parseQuotaResetsAfter(headers.get('x-ms-user-quota-resets-after'));
    if (remaining !== undefined && /^\s*-?\d+\s*$/.test(remaining)) {
      this.quotaRemaining = Number(remaining);
      if (resetsAfter !== undefined) this.quotaResetsAt = Date.now() + resetsAfter;
    }
  }

  /** Waits for the quota window to reset when the last answer said it is spent. */
  private async acquireQuota(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.quotaRemaining === undefined || this.quotaRemaining > 0) break;
      if (now >= this.quotaResetsAt + this.opts.quotaMarginMs) {
        // A new window: the next answer tells the real figure.
        this.quotaRemaining = undefined;
        break;
      }
      const wait = this.quotaResetsAt + this.opts.quotaMarginMs - now;
      if (wait > this.opts.maxRetryAfterMs) {
        throw new Error(`the Resource Graph quota resets only in ${Math.round(wait / 1000)} s`);
      }
      this.stats.quotaWaits++;
      this.stats.quotaWaitMs += wait;
      this.log(`resourceGraph: quota spent; waiting ${wait} ms for it to reset`);
      await this.sleep(wait);
    }
    // Count this request against the window so that concurrent queries on this reader do not overrun it.
    if (this.quotaRemaining !== undefined) this.quotaRemaining--;
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abortSignal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new AbortedError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

// The in-cluster reader: one cluster's Kubernetes API read through @kubernetes/client-node, with a token for the AKS
// Entra ID server application from the scanner's own credential and the API server address and CA from
// listClusterUserCredential. `readClusterState(cluster)` gives an InClusterRead (what was read, or the precise reason
// nothing could be); readAll runs it over a fleet with bounded concurrency.
import { createHash } from 'node:crypto';
import https from 'node:https';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { ClusterRecord, InClusterRead } from '../model';
import { describeFailure, unreachableReason } from './reasons';
import { IN_CLUSTER_KINDS, stateFromLists, type InClusterKind, type RawList } from './state';

/** The AKS Microsoft Entra ID server application (the audience of every AKS API server token). */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
export const AKS_SERVER_SCOPE = `${AKS_SERVER_APP_ID}/.default`;

export interface InClusterReaderDeps {
  credential: TokenCredential;
  containerService(subscriptionId: string): ContainerServiceClient;
}

export interface InClusterReaderOptions {
  /** Clusters read at once (default 16). */
  concurrency?: number;
  /** Budget of one cluster, credential and every page included (default 60 s). */
  timeoutInMs?: number;
  /** `limit` of each list call (default 500). */
  pageSize?: number;
  /** Attempts of one list call on 429/5xx or a dropped connection (default 4). */
  attempts?: number;
  log?: (line: string) => void;
  abortSignal?: AbortSignal;
}

export interface InClusterStats {
  clusters: number;
  readable: number;
  unreadable: number;
  /** Kubernetes API calls (pages), retries included. */
  kubeCalls: number;
  /** listClusterUserCredential calls. */
  credentialCalls: number;
  retries: number;
}

class Deadline extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why the scanner will not even try: no Entra ID sign-in is possible, or the cluster is stopped. */
export function notAttempted(cluster: ClusterRecord): string | undefined {
  const p = cluster.properties;
  const aad = p.aadProfile;
  if (!isRecord(aad)) {
    return 'local accounts only: the cluster has no Entra ID integration, so only its local accounts (client certificates) can sign in, and the scanner signs in with Entra ID only';
  }
  if (aad.managed !== true) {
    return "legacy Entra ID integration (client and server applications): its tokens are issued for the cluster's own server application, not the AKS-managed one the scanner signs in to";
  }
  const power = isRecord(p.powerState) ? p.powerState.code : undefined;
  if (typeof power === 'string' && power.toLowerCase() === 'stopped') return 'the cluster is stopped';
  return undefined;
}

/** HTTPS agents by CA: connections (and TLS sessions) are reused across the lists of a cluster, and across clusters that share a CA. */
class AgentPool {
  private agents = new Map<string, https.Agent>();
  get(caPem: string | undefined): https.Agent {
    const key = createHash('sha256')
      .update(caPem ?? '')
      .digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      if (this.agents.size >= 64) {
        const [oldKey, old] = this.agents.entries().next().value as [string, https.Agent];
        old.destroy();
        this.agents.delete(oldKey);
      }
      agent = new https.Agent({ keepAlive: true, ...(caPem ? { ca: caPem } : {}) });
      this.agents.set(key, agent);
    }
    return agent;
  }
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

export class InClusterReader {
  readonly stats: InClusterStats = {
    clusters: 0,
    readable: 0,
    unreadable: 0,
    kubeCalls: 0,
    credentialCalls: 0,
    retries: 0,
  };
  private readonly agents = new AgentPool();
  private readonly concurrency: number;
  private readonly timeoutInMs: number;
  private readonly pageSize: number;
  private readonly attempts: number;

  constructor(
    private readonly deps: InClusterReaderDeps,
    private readonly options: InClusterReaderOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.timeoutInMs = options.timeoutInMs ?? 60_000;
    this.pageSize = options.pageSize ?? 500;
    this.attempts = Math.max(1, options.attempts ?? 4);
  }

  /** Reads one cluster within the per-cluster budget; never throws. */
  async readClusterState(cluster: ClusterRecord): Promise<InClusterRead> {
    this.stats.clusters++;
    const skip = notAttempted(cluster);
    if (skip) return this.count({ readable: false, reason: skip });
    const controller = new AbortController();
    const outer = this.options.abortSignal;
    const onAbort = () => controller.abort();
    outer?.addEventListener('abort', onAbort);
    // The budget covers the cluster's own API server; the Azure calls before it (credential, token) have their own
    // retries and are shared or cheap.
    let timer: NodeJS.Timeout | undefined;
    let server: string | undefined;
    try {
      const access = await this.access(cluster, controller.signal);
      if ('reason' in access) return this.count({ readable: false, reason: access.reason });
      server = access.server;
      timer = setTimeout(() => controller.abort(new Deadline()), this.timeoutInMs);
      const lists = await this.readLists(access.config, access.caPem, controller.signal);
      const state = stateFromLists(lists);
      // No list readable (every one refused): the cluster as a whole was not read; the first refusal says why.
      const reasons = IN_CLUSTER_KINDS.map((k) =>
        'reason' in lists[k] ? (lists[k] as { reason: string }).reason : undefined,
      );
      if (reasons.every((r) => r !== undefined)) {
        return this.count({ readable: false, reason: `${reasons[0] as string} (and every other list)` });
      }
      return this.count({ readable: true, state });
    } catch (error) {
      const timedOut = controller.signal.aborted && controller.signal.reason instanceof Deadline;
      return this.count({
        readable: false,
        reason: unreachableReason(cluster, error, { timedOut, timeoutInMs: this.timeoutInMs, server }),
      });
    } finally {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private count(read: InClusterRead): InClusterRead {
    if (read.readable) this.stats.readable++;
    else this.stats.unreadable++;
    return read;
  }

  private tokenRequest?: Promise<AccessToken>;

  /** One token for the AKS server application, shared by every cluster, asked again when it nears expiry. */
  private async token(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      if (!this.tokenRequest) {
        const request = this.deps.credential.getToken(AKS_SERVER_SCOPE).then((got) => {
          if (!got?.token) throw new Error('no token returned');
          return got;
        });
        this.tokenRequest = request;
        // A failed sign-in is not remembered: the next cluster asks again.
        request.catch(() => {
          if (this.tokenRequest === request) this.tokenRequest = undefined;
        });
      }
      const request = this.tokenRequest;
      const got = await request;
      if (got.expiresOnTimestamp - Date.now() > 2 * 60_000 || attempt >= 2) return got.token;
      if (this.tokenRequest === request) this.tokenRequest = undefined;
    }
  }

  /** The kubeconfig's server and CA, with the scanner's own token instead of the kubeconfig's user. */
  private async access(
    cluster: ClusterRecord,
    signal: AbortSignal,
  ): Promise<{ config: KubeConfig; caPem?: string; server: string } | { reason: string }> {
    this.stats.credentialCalls++;
    let kubeconfig: string;
    try {
      const result = await this.deps
        .containerService(cluster.subscriptionId)
        .managedClusters.listClusterUserCredentials(cluster.resourceGroup, cluster.name, { abortSignal: signal });
      const value = result.kubeconfigs?.find((k) => k.value)?.value;
      if (!value) return { reason: 'listClusterUserCredential returned no kubeconfig' };
      kubeconfig = Buffer.from(value).toString('utf8');
    } catch (error) {
      if (signal.aborted) throw error;
      return { reason: describeFailure('listClusterUserCredential', error) };
    }
    const parsed = new KubeConfig();
    try {
      parsed.loadFromString(kubeconfig);
    } catch (error) {
      return { reason: `the kubeconfig from listClusterUserCredential could not be read: ${(error as Error).message}` };
    }
    const target = parsed.getCurrentCluster();
    if (!target?.server) return { reason: 'the kubeconfig from listClusterUserCredential names no API server' };
    let token: string;
    try {
      token = await this.token();
    } catch (error) {
      if (signal.aborted) throw error;
      return {
        reason: `no token for the AKS Entra ID server application (${AKS_SERVER_SCOPE}): ${(error as Error).message}`,
      };
    }
    const caPem = target.caData ? Buffer.from(target.caData, 'base64').toString('utf8') : undefined;
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'aks', server: target.server, caData: target.caData, skipTLSVerify: false }],
      users: [{ name: 'scanner', token }],
      contexts: [{ name: 'scanner', cluster: 'aks', user: 'scanner' }],
      currentContext: 'scanner',
    });
    return { config, caPem, server: target.server };
  }

  private async readLists(
    config: KubeConfig,
    caPem: string | undefined,
    signal: AbortSignal,
  ): Promise<Record<InClusterKind, RawList>> {
    const agent = this.agents.get(caPem);
    // The object-parameter API hands options straight to its Observable layer, whose middleware returns objects
    // with toPromise() (the package's rxjs stand-in, which it does not export).
    const settled = <T>(value: T) => ({ toPromise: () => Promise.resolve(value) });
    const options = {
      middleware: [
        {
          pre: (context: RequestContext) => {
            context.setSignal(signal);
            context.setAgent(agent);
            return settled(context);
          },
          post: (context: ResponseContext) => settled(context),
        },
      ],
      middlewareMergeStrategy: 'append',
    } as unknown as ConfigurationOptions;
    const rbac = config.makeApiClient(RbacAuthorizationV1Api);
    const apps = config.makeApiClient(AppsV1Api);
    const core = config.makeApiClient(CoreV1Api);
    const limit = this.pageSize;
    type Page = { items: unknown[]; metadata?: { _continue?: string } };
    const readers: Record<InClusterKind, (cont?: string) => Promise<Page>> = {
      clusterrolebindings: (c) => rbac.listClusterRoleBinding({ limit, _continue: c }, options),
      rolebindings: (c) => rbac.listRoleBindingForAllNamespaces({ limit, _continue: c }, options),
      clusterroles: (c) => rbac.listClusterRole({ limit, _continue: c }, options),
      daemonsets: (c) => apps.listNamespacedDaemonSet({ namespace: 'kube-system', limit, _continue: c }, options),
      nodes: (c) => core.listNode({ limit, _continue: c }, options),
    };
    // The five lists at once (each paged in turn) over pooled keep-alive connections: a cluster costs about the
    // latency of its longest list, and connections are reused across clusters that share a CA.
    const entries = await Promise.all(
      IN_CLUSTER_KINDS.map(async (kind) => [kind, await this.readAllPages(kind, readers[kind], signal)] as const),
    );
    return Object.fromEntries(entries) as Record<InClusterKind, RawList>;
  }

  /** Every page of one list; a refusal or a failure that outlasts the retries makes the list unreadable. */
  private async readAllPages(
    kind: InClusterKind,
    read: (cont?: string) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>,
    signal: AbortSignal,
  ): Promise<RawList> {
    const items: unknown[] = [];
    let cont: string | undefined;
    do {
      let page: { items: unknown[]; metadata?: { _continue?: string } } | undefined;
      for (let attempt = 1; ; attempt++) {
        this.stats.kubeCalls++;
        try {
          page = await read(cont);
          break;
        } catch (error) {
          if (signal.aborted) throw error;
          const status = error instanceof ApiException ? error.code : undefined;
          const transient = status === undefined ? isConnectionDrop(error) : status === 429 || status >= 500;
          if (!transient || attempt >= this.attempts) {
            // A connection failure means the API server itself cannot be reached: the cluster as a whole.
            if (status === undefined) throw error;
            return { reason: describeFailure(kind, error) };
          }
          this.stats.retries++;
          await sleep(retryDelay(error, attempt), signal);
        }
      }
      items.push(...(Array.isArray(page.items) ? page.items : []));
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return { items };
  }

  /**
   * Reads every cluster, `concurrency` at a time, logging progress; `onRead` sees each result as it comes. The
   * clusters are taken from `clusters` as workers free up (an iterator over the inventory's shelf inflates a page at
   * a time); `total` is how many there are, for the progress lines.
   */
  async readAll(
    clusters: Iterable<ClusterRecord>,
    onRead: (cluster: ClusterRecord, read: InClusterRead) => void,
    total = Array.isArray(clusters) ? clusters.length : 0,
  ): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    const started = Date.now();
    const step = Math.max(1, Math.ceil(total / 10));
    const queue = clusters[Symbol.iterator]();
    let done = 0;
    const worker = async () => {
      for (let item = queue.next(); !item.done; item = queue.next()) {
        const cluster = item.value;
        onRead(cluster, await this.readClusterState(cluster));
        done++;
        if (done % step === 0 && done < total) {
          log(
            `inCluster: ${done}/${total} clusters read (${this.stats.unreadable} unreadable) in ${Date.now() - started} ms`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.concurrency) }, worker));
    const s = this.stats;
    log(
      `inCluster: ${done} clusters (${s.readable} read, ${s.unreadable} unreadable), ${s.credentialCalls} credential calls, ${s.kubeCalls} Kubernetes API calls (${s.retries} retries) in ${Date.now() - started} ms`,
    );
  }

  /** Closes pooled connections. */
  close(): void {
    this.agents.destroy();
  }
}

function isConnectionDrop(error: unknown): boolean {
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } })?.code ??
    (error as { cause?: { code?: unknown } })?.cause?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    ((error as Error)?.name === 'FetchError' && /socket hang up|ECONNRESET/i.test((error as Error).message))
  );
}

function retryDelay(error: unknown, attempt: number): number {
  const headers = error instanceof ApiException ? (error.headers as Record<string, string>) : undefined;
  const retryAfter = Number(headers?.['retry-after'] ?? headers?.['Retry-After']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(30_000, retryAfter * 1000);
  return Math.min(8_000, 250 * 2 ** (attempt - 1));
}

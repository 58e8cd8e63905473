// Simulated Kubernetes API servers, one per simulated AKS cluster, behind one HTTPS listener: a cluster's server URL
// is `https://127.0.0.1:PORT/k8s/<key>` (kubeconfig `server` values may carry a path, as proxies use). Each answers
// the RBAC v1, apps v1 and core v1 lists the scanner reads, with `limit`/`continue` paging, checks the bearer token's
// audience (the AKS Entra ID server application), and refuses a caller without access (403 Status), as the Kubernetes
// API reference and the AKS Entra ID / Azure RBAC documentation describe.
import { createHash } from 'node:crypto';
import { kubeObjects, type KubeObjects, type WireObject } from './fleet/kube';
import type { Fleet, KubeWire } from './fleet/types';
import { AKS_SERVER_APP_ID } from './auth';
import { armError, json, type SimRequest, type SimResponse } from './http';

/** The client ID kubelogin uses (written into the kubeconfig's exec section, as AKS does). */
const KUBELOGIN_CLIENT_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';
const DEFAULT_LIMIT_MAX = 500;

type Kind = keyof KubeObjects;

interface ListRoute {
  kind: Kind;
  pattern: RegExp;
  listKind: string;
  apiVersion: string;
  group: string;
  resource: string;
  namespace?: (m: RegExpExecArray) => string;
}

const LIST_ROUTES: ListRoute[] = [
  { kind: 'clusterrolebindings', pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/clusterrolebindings$/, listKind: 'ClusterRoleBindingList', apiVersion: 'rbac.authorization.k8s.io/v1', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  { kind: 'rolebindings', pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/rolebindings$/, listKind: 'RoleBindingList', apiVersion: 'rbac.authorization.k8s.io/v1', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  { kind: 'rolebindings', pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/namespaces\/([^/]+)\/rolebindings$/, listKind: 'RoleBindingList', apiVersion: 'rbac.authorization.k8s.io/v1', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: (m) => m[1] },
  { kind: 'clusterroles', pattern: /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/clusterroles$/, listKind: 'ClusterRoleList', apiVersion: 'rbac.authorization.k8s.io/v1', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  { kind: 'daemonsets', pattern: /^\/apis\/apps\/v1\/daemonsets$/, listKind: 'DaemonSetList', apiVersion: 'apps/v1', group: 'apps', resource: 'daemonsets' },
  { kind: 'daemonsets', pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets$/, listKind: 'DaemonSetList', apiVersion: 'apps/v1', group: 'apps', resource: 'daemonsets', namespace: (m) => m[1] },
  { kind: 'nodes', pattern: /^\/api\/v1\/nodes$/, listKind: 'NodeList', apiVersion: 'v1', group: '', resource: 'nodes' },
]; // prettier-ignore

/** A Kubernetes `Status` object (the API's error body). */
export function kubeStatus(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): SimResponse {
  return json(code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

/** The key of a cluster in API server URLs: a short hash of its lower-case resource ID. */
export function kubeKey(clusterId: string): string {
  return createHash('sha256').update(clusterId.toLowerCase()).digest('hex').slice(0, 16);
}

interface ContinueToken {
  k: string;
  o: number;
  rv: string;
}

export class KubeSim {
  private byKey = new Map<string, { id: string; wire: KubeWire }>();
  private byId = new Map<string, KubeWire>();
  private fleet!: Fleet;
  /** Built objects of recently read clusters (a cluster is read as five lists in a row). */
  private cache = new Map<string, KubeObjects>();

  constructor(
    fleet: Fleet,
    private readonly server: () => { url: string; caPem: string; tenantId: string },
  ) {
    this.setFleet(fleet);
  }

  setFleet(fleet: Fleet): void {
    this.fleet = fleet;
    this.byKey.clear();
    this.byId.clear();
    this.cache.clear();
    for (const [id, wire] of Object.entries(fleet.kube ?? {})) {
      this.byKey.set(kubeKey(id), { id, wire });
      this.byId.set(id.toLowerCase(), wire);
    }
  }

  /** The wire of a cluster; a cluster the fleet says nothing about answers with built-in objects only. */
  private wireOf(clusterId: string): KubeWire {
    return (
      this.byId.get(clusterId.toLowerCase()) ?? {
        reach: 'ok',
        spec: { reach: 'ok', bindings: [], customRoles: [], skewPools: [] },
        pools: [],
        asOf: new Date(0).toISOString(),
      }
    );
  }

  /** POST .../managedClusters/{name}/listClusterUserCredential: a kubeconfig (base64) for the cluster's API server. */
  listClusterUserCredential(
    req: SimRequest,
    cluster: { id: string; name: string; properties: Record<string, unknown> },
    resourceGroup: string,
  ): SimResponse {
    const wire = this.wireOf(cluster.id);
    if (wire.reach === 'noClusterUserRole') {
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${req.claims?.appid ?? ''}' with object id '${req.claims?.oid ?? ''}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action' over scope '${cluster.id}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    const { url, caPem, tenantId } = this.server();
    const props = cluster.properties;
    const api = (props.apiServerAccessProfile ?? {}) as Record<string, unknown>;
    const privateFqdn = typeof props.privateFQDN === 'string' ? props.privateFQDN : undefined;
    // No network path: the kubeconfig names the private FQDN, which resolves only inside the cluster's network.
    const server =
      wire.reach === 'privateNoPath' && api.enablePrivateCluster === true && privateFqdn
        ? `https://${privateFqdn}:443`
        : `${url}/k8s/${kubeKey(cluster.id)}`;
    const user = `clusterUser_${resourceGroup}_${cluster.name}`;
    const aad = props.aadProfile && typeof props.aadProfile === 'object';
    const userSection = aad
      ? [
          '    exec:',
          '      apiVersion: client.authentication.k8s.io/v1beta1',
          '      args:',
          '      - get-token',
          '      - --environment',
          '      - AzurePublicCloud',
          '      - --server-id',
          `      - ${AKS_SERVER_APP_ID}`,
          '      - --client-id',
          `      - ${KUBELOGIN_CLIENT_ID}`,
          '      - --tenant-id',
          `      - ${tenantId}`,
          '      - --login',
          '      - devicecode',
          '      command: kubelogin',
          '      env: null',
          '      installHint: |',
          '        kubelogin is not installed which is required to connect to AAD enabled cluster.',
          '      provideClusterInfo: false',
        ]
      : [
          `    client-certificate-data: ${Buffer.from('simulated local account certificate').toString('base64')}`,
          `    client-key-data: ${Buffer.from('simulated local account key').toString('base64')}`,
          `    token: ${createHash('sha256').update(cluster.id).digest('hex')}`,
        ];
    const name = JSON.stringify(cluster.name);
    const kubeconfig = [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
      `    server: ${server}`,
      `  name: ${name}`,
      'contexts:',
      '- context:',
      `    cluster: ${name}`,
      `    user: ${JSON.stringify(user)}`,
      `  name: ${name}`,
      `current-context: ${name}`,
      'kind: Config',
      'preferences: {}',
      'users:',
      `- name: ${JSON.stringify(user)}`,
      '  user:',
      ...userSection,
      '',
    ].join('\n');
    return json(200, { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from(kubeconfig).toString('base64') }] });
  }

  /** Requests under /k8s/{key}/...; `checkToken` returns the claims or a refusal. */
  handle(
    req: SimRequest,
    key: string,
    path: string,
    checkToken: (audience: string) => { ok: true; oid: string } | { ok: false; message: string },
  ): SimResponse {
    const entry = this.byKey.get(key);
    if (!entry) return kubeStatus(404, 'NotFound', `the server could not find the requested resource`);
    const wire = entry.wire;
    // Authorized IP ranges that exclude the caller: the API server's front end never answers.
    if (wire.reach === 'ipRangesExclude' || wire.reach === 'privateNoPath') return { status: 0, hang: true };
    const token = checkToken(AKS_SERVER_APP_ID);
    if (!token.ok) return kubeStatus(401, 'Unauthorized', 'Unauthorized');
    if (req.method !== 'GET')
      return kubeStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    let route: ListRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of LIST_ROUTES) {
      match = r.pattern.exec(path);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) return kubeStatus(404, 'NotFound', 'the server could not find the requested resource');
    const namespace = route.namespace?.(match);
    if (wire.reach === 'forbidden') {
      const azureRbac = Boolean(
        (entry.id &&
          (
            this.fleet.clusters.find((c) => c.id.toLowerCase() === entry.id.toLowerCase())?.properties.aadProfile as
              Record<string, unknown> | undefined
          )?.enableAzureRBAC) === true,
      );
      const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
      const base = `${route.resource}${route.group ? `.${route.group}` : ''} is forbidden: User "${token.oid}" cannot list resource "${route.resource}" in API group "${route.group}" ${scope}`;
      return kubeStatus(
        403,
        'Forbidden',
        azureRbac
          ? `${base}: User does not have access to the resource in Azure. Update role assignment to allow access.`
          : base,
        { group: route.group, kind: route.resource },
      );
    }
    const limitRaw = req.query.get('limit');
    const limit = limitRaw === null ? 0 : Number(limitRaw);
    if (limitRaw !== null && (!Number.isInteger(limit) || limit < 0)) {
      return kubeStatus(400, 'BadRequest', `limit must be a non-negative integer, got ${JSON.stringify(limitRaw)}`);
    }
    let items = this.objectsOf(entry.id, wire)[route.kind];
    if (namespace) items = items.filter((o) => (o.metadata as Record<string, unknown>).namespace === namespace);
    const rv = String(10_000 + items.length);
    let offset = 0;
    const cont = req.query.get('continue');
    if (cont) {
      const token = decodeContinue(cont);
      if (!token || token.k !== `${key}|${path}`) {
        return kubeStatus(400, 'BadRequest', 'The provided continue parameter is not valid');
      }
      offset = token.o;
    }
    const pageSize = limit > 0 ? Math.min(limit, DEFAULT_LIMIT_MAX * 10) : items.length;
    const page = items.slice(offset, offset + pageSize);
    const next = offset + page.length;
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (next < items.length) {
      metadata.continue = Buffer.from(
        JSON.stringify({ k: `${key}|${path}`, o: next, rv } satisfies ContinueToken),
      ).toString('base64url');
      metadata.remainingItemCount = items.length - next;
    }
    return json(200, { kind: route.listKind, apiVersion: route.apiVersion, metadata, items: page });
  }

  private objectsOf(id: string, wire: KubeWire): KubeObjects {
    const key = id.toLowerCase();
    let objects = this.cache.get(key);
    if (!objects) {
      objects = kubeObjects(wire.spec, wire.pools, new Date(wire.asOf));
      if (this.cache.size >= 64) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, objects);
    }
    return objects;
  }
}

function decodeContinue(value: string): ContinueToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as ContinueToken;
    return typeof t.k === 'string' && Number.isInteger(t.o) && t.o >= 0 ? t : undefined;
  } catch {
    return undefined;
  }
}

export type { WireObject };

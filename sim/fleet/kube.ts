// Kubernetes API objects of a simulated AKS cluster, in the wire form of the Kubernetes API reference (RBAC v1,
// apps v1, core v1): what `kubectl get <kind> -A -o json` and the simulated API servers return.
import { createHash } from 'node:crypto';
import type { KubeSpec } from './model';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const KURED_LOCK = 'weave.works/kured-node-lock';
const CREATED = '2026-06-01T08:00:00Z';

function uid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: uid(`${namespace ?? ''}/${name}`),
    resourceVersion: String(1000 + (parseInt(uid(name).slice(0, 4), 16) % 9000)),
    creationTimestamp: CREATED,
    ...extra,
  };
}

export type WireObject = Record<string, unknown>;

export interface KubeObjects {
  clusterrolebindings: WireObject[];
  rolebindings: WireObject[];
  clusterroles: WireObject[];
  daemonsets: WireObject[];
  nodes: WireObject[];
}

export function subjectWire(s: { kind: string; name: string; namespace?: string }): WireObject {
  return s.kind === 'ServiceAccount'
    ? { kind: 'ServiceAccount', name: s.name, namespace: s.namespace ?? 'default' }
    : { apiGroup: RBAC_GROUP, kind: s.kind, name: s.name };
}

export function bindingWire(b: KubeSpec['bindings'][number]): WireObject {
  const kind = b.kind;
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind,
    metadata: meta(
      b.name,
      kind === 'RoleBinding' ? (b.namespace ?? 'default') : undefined,
      b.builtIn
        ? {
            annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
            labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
          }
        : {},
    ),
    roleRef: { apiGroup: RBAC_GROUP, kind: b.roleKind ?? 'ClusterRole', name: b.role },
    subjects: b.subjects.map(subjectWire),
  };
}

const BUILT_IN_ROLES: [string, WireObject[]][] = [
  ['cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]],
  ['admin', [{ apiGroups: [''], resources: ['pods', 'services', 'secrets'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }]],
  ['edit', [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }]],
  ['view', [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] }]],
  ['system:node', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]],
]; // prettier-ignore

export function clusterRoleWire(name: string, rules: WireObject[], builtIn: boolean): WireObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: meta(
      name,
      undefined,
      builtIn
        ? {
            annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
            labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
          }
        : {},
    ),
    rules,
  };
}

export function daemonSetWire(
  namespace: string,
  name: string,
  image: string,
  desired: number,
  ready: number,
  annotations: Record<string, string> = {},
  labels: Record<string, string> = {},
): WireObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta(name, namespace, {
      generation: 1,
      labels: { 'app.kubernetes.io/name': name, ...labels },
      annotations: { 'deprecated.daemonset.template.generation': '1', ...annotations },
    }),
    spec: {
      selector: { matchLabels: { name } },
      template: {
        metadata: { labels: { name } },
        spec: { containers: [{ name, image, imagePullPolicy: 'IfNotPresent' }], serviceAccountName: name },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
    status: {
      currentNumberScheduled: desired,
      desiredNumberScheduled: desired,
      numberAvailable: ready,
      numberMisscheduled: 0,
      numberReady: ready,
      observedGeneration: 1,
      updatedNumberScheduled: desired,
      ...(desired > ready ? { numberUnavailable: desired - ready } : {}),
    },
  };
}

export function nodeWire(
  name: string,
  pool: string,
  os: 'linux' | 'windows',
  kernelVersion: string,
  image: string,
): WireObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, undefined, {
      labels: {
        agentpool: pool,
        'kubernetes.azure.com/agentpool': pool,
        'kubernetes.azure.com/node-image-version': image,
        'kubernetes.io/os': os,
        'kubernetes.io/hostname': name,
        'beta.kubernetes.io/os': os,
      },
    }),
    spec: { providerID: `azure:///subscriptions/.../virtualMachineScaleSets/aks-${pool}/virtualMachines/0` },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.27-1',
        kernelVersion,
        kubeletVersion: 'v1.35.4',
        operatingSystem: os,
        osImage: os === 'linux' ? 'Ubuntu 22.04.5 LTS' : 'Windows Server 2022 Datacenter',
      },
    },
  };
}

/** The objects of one cluster from its spec (pools: name, OS, node count, node image). */
export function kubeObjects(
  spec: KubeSpec,
  pools: { name: string; osType: string; count: number; image: string }[],
  asOf: Date,
): KubeObjects {
  const roles = [
    ...BUILT_IN_ROLES.map(([name, rules]) => clusterRoleWire(name, rules, true)),
    ...spec.customRoles.map((r) =>
      clusterRoleWire(
        r.name,
        r.grantsAll
          ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]
          : [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] }],
        false,
      ),
    ),
  ];
  const daemonsets: WireObject[] = [
    daemonSetWire('kube-system', 'kube-proxy', 'mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.35.4', 3, 3),
    daemonSetWire('kube-system', 'azure-ip-masq-agent', 'mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.15', 3, 3),
  ];
  if (spec.kured) {
    const annotations: Record<string, string> = {};
    if (spec.kured.lock) {
      const created = new Date(asOf.getTime() - spec.kured.lock.ageHours * 3_600_000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      annotations[KURED_LOCK] = JSON.stringify({
        nodeID: spec.kured.lock.node,
        metadata: { unschedulable: false },
        created,
        TTL: 0,
      });
    }
    daemonsets.push(
      daemonSetWire(
        'kube-system',
        'kured',
        'ghcr.io/kubereboot/kured:1.17.1',
        spec.kured.desired,
        spec.kured.ready,
        annotations,
      ),
    );
  }
  const nodes: WireObject[] = [];
  for (const pool of pools) {
    const os = pool.osType.toLowerCase() === 'windows' ? 'windows' : 'linux';
    const n = Math.max(spec.skewPools.includes(pool.name) ? 2 : 1, Math.min(pool.count, 4));
    const vmss = uid(pool.name)
      .replace(/[^0-9]/g, '')
      .slice(0, 8)
      .padEnd(8, '0');
    for (let i = 0; i < n; i++) {
      const name =
        os === 'windows'
          ? `${pool.name.slice(0, 6)}${String(i).padStart(6, '0')}`
          : `aks-${pool.name}-${vmss}-vmss${String(i).padStart(6, '0')}`;
      const base = os === 'windows' ? '10.0.20348.2966' : '5.15.0-1079-azure';
      const skewed = spec.skewPools.includes(pool.name) && i === n - 1;
      const kernel = skewed ? (os === 'windows' ? '10.0.20348.3091' : '5.15.0-1081-azure') : base;
      nodes.push(nodeWire(name, pool.name, os, kernel, pool.image));
    }
  }
  return {
    clusterrolebindings: spec.bindings.filter((b) => b.kind === 'ClusterRoleBinding').map(bindingWire),
    rolebindings: spec.bindings.filter((b) => b.kind === 'RoleBinding').map(bindingWire),
    clusterroles: roles,
    daemonsets,
    nodes,
  };
}

/** `kubectl get <kind> -A -o json` output: a `List`. */
export function listWire(items: WireObject[]): WireObject {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

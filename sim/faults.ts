// Fault injection and request counting per endpoint, with seeded randomness so that tests are repeatable.

/** Endpoint names (the counters and fault specs use the same names). */
export const ENDPOINTS = [
  'token',
  'openidConfiguration',
  'jwks',
  'resourceGraph',
  'kubernetesVersions',
  'managedClusters',
  'upgradeProfiles',
  'listClusterUserCredential',
  'kube',
  'graph.getByIds',
  'graph.batch',
  'graph.memberCount',
  'graph.sendMail',
  'teams',
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

export type FaultKind = 'throttle' | 'error' | 'drop' | 'malformed' | 'forbidden';

export interface FaultSpec {
  /** Added before every answer, in milliseconds. */
  latencyMs?: number;
  /** Share (0..1) of requests answered 429 with `Retry-After`. */
  throttleRate?: number;
  /** Retry-After of injected 429s, in seconds; fractional values are sent as they are (Graph does). Default 1. */
  retryAfterSeconds?: number;
  /** Share (0..1) of requests answered with a 5xx. */
  errorRate?: number;
  /** Status of injected errors (default 503). */
  errorStatus?: number;
  /** Share (0..1) of requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /** Share (0..1) of successful answers whose JSON body is cut short. */
  malformedRate?: number;
  /** Resource Graph and the AKS RP: these subscriptions are forbidden (403 AuthorizationFailed when named). */
  forbiddenSubscriptions?: string[];
  /** Resource Graph: these management groups are forbidden (403 when named). */
  forbiddenManagementGroups?: string[];
  /** Every request answered 403 (Graph: `Authorization_RequestDenied`, ARM: `AuthorizationFailed`). */
  forbidden?: boolean;
  /** Deterministic mode: the next `count` requests fail with `kind`, then the endpoint behaves normally. */
  failNext?: { count: number; kind: FaultKind };
}

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export type FaultDecision = { kind: 'none' } | { kind: Exclude<FaultKind, 'forbidden'> | 'forbidden' };

export class Faults {
  private readonly specs = new Map<EndpointName, FaultSpec>();
  private readonly random = new Map<EndpointName, () => number>();

  constructor(private readonly seed: number) {}

  set(endpoint: EndpointName, spec: FaultSpec): void {
    if (!(ENDPOINTS as readonly string[]).includes(endpoint)) {
      throw new Error(`unknown simulator endpoint "${endpoint}"; known: ${ENDPOINTS.join(', ')}`);
    }
    this.specs.set(endpoint, { ...spec, failNext: spec.failNext ? { ...spec.failNext } : undefined });
    // Each spec starts its own sequence from the seed: the same spec gives the same pattern.
    this.random.delete(endpoint);
  }

  get(endpoint: EndpointName): FaultSpec | undefined {
    return this.specs.get(endpoint);
  }

  clear(endpoint?: EndpointName): void {
    if (endpoint) this.specs.delete(endpoint);
    else this.specs.clear();
    this.random.clear();
  }

  /** The seeded generator of one endpoint (its sequence does not depend on traffic to other endpoints). */
  rng(endpoint: EndpointName): () => number {
    let r = this.random.get(endpoint);
    if (!r) {
      r = seededRandom(this.seed ^ hash(endpoint));
      this.random.set(endpoint, r);
    }
    return r;
  }

  /** What happens to the next request of this endpoint (latency is applied separately). */
  decide(endpoint: EndpointName): FaultDecision {
    const spec = this.specs.get(endpoint);
    if (!spec) return { kind: 'none' };
    if (spec.failNext && spec.failNext.count > 0) {
      spec.failNext.count--;
      return { kind: spec.failNext.kind };
    }
    if (spec.forbidden) return { kind: 'forbidden' };
    const r = this.rng(endpoint);
    if (spec.dropRate && r() < spec.dropRate) return { kind: 'drop' };
    if (spec.throttleRate && r() < spec.throttleRate) return { kind: 'throttle' };
    if (spec.errorRate && r() < spec.errorRate) return { kind: 'error' };
    if (spec.malformedRate && r() < spec.malformedRate) return { kind: 'malformed' };
    return { kind: 'none' };
  }

  forbiddenSubscription(endpoint: EndpointName, subscriptionId: string): boolean {
    const list = this.specs.get(endpoint)?.forbiddenSubscriptions;
    return !!list?.some((s) => s.toLowerCase() === subscriptionId.toLowerCase());
  }

  forbiddenManagementGroup(endpoint: EndpointName, name: string): boolean {
    const list = this.specs.get(endpoint)?.forbiddenManagementGroups;
    return !!list?.some((s) => s.toLowerCase() === name.toLowerCase());
  }
}

export class Counters {
  private counts = new Map<string, number>();
  private statuses = new Map<string, number>();

  hit(endpoint: EndpointName): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  status(endpoint: EndpointName, status: number | 'dropped' | 'hung'): void {
    const key = `${endpoint} ${status}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  /** Requests received per endpoint (every name present, 0 when unused). */
  snapshot(): Record<EndpointName, number> {
    const out = {} as Record<EndpointName, number>;
    for (const name of ENDPOINTS) out[name] = this.counts.get(name) ?? 0;
    return out;
  }

  /** Answers per endpoint and status, e.g. `{"resourceGraph 429": 5}`. */
  byStatus(): Record<string, number> {
    return Object.fromEntries(this.statuses);
  }

  reset(): void {
    this.counts.clear();
    this.statuses.clear();
  }
}

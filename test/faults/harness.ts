// The fault suite's world: a generated fleet in the simulator, a FindingStore on Azurite, the real notifier
// (handleNotify) behind a small HTTP front that can be taken down, the delivery queue's function (drained as the
// Functions host would), and runScanJob as the timer runs it.
import http from 'node:http';
import { withInClusterOff } from '../../sim/fleet/inCluster';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { AlertBatch } from '../../src/alerts/alerts';
import { DELIVERY_QUEUE, POISON_QUEUE } from '../../src/alerts/deliveryQueue';
import { handleDeliveryMessage } from '../../src/alerts/notifier';
import type { Settings } from '../../src/config/settings';
import { drainQueue } from '../harness/queuePump';
import { AlertBatchStore } from '../../src/store/alertBatches';
import { handleNotify, type NotifyDeps } from '../../src/http/notify';
import type { ClusterReport, ScanReport, Status } from '../../src/model';
import { runScanJob, type ScanJobOptions, type ScanJobResult } from '../../src/scan/job';
import { FindingStore } from '../../src/store/findingStore';
import { generateFleet, type FleetOptions, type GeneratedFleet } from '../../sim/fleet/generator';
import type { SimulatorOptions } from '../../sim';
import type { AzuriteOptions } from '../harness/azurite';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';

export const NOTIFY_KEY = 'fault-suite-key';
export const SENDER = 'aks-alerts@contoso.com';
export const MAIL_TO = ['secops@contoso.com'];

export interface FaultEnv {
  local: LocalAzure;
  generated: GeneratedFleet;
  settings: Settings;
  store: FindingStore;
  logs: string[];
  notifier: {
    /** Stored batches of the runs the notifier accepted (2xx) and delivered or queued something of, in order. */
    accepted: AlertBatch[];
    /** Posts refused while the notifier was down. */
    refused: number;
    up: boolean;
  };
  job(options?: Partial<ScanJobOptions>): Promise<ScanJobResult>;
  /** The delivery queue's function over the messages visible now; how many it handled. */
  pump(): Promise<number>;
  /** Serves a changed fleet from now on. */
  setFleet(generated: GeneratedFleet): void;
  stop(): Promise<void>;
}

export function smallFleet(overrides: Partial<FleetOptions> = {}): GeneratedFleet {
  return generateFleet({ seed: 41, clusters: 24, subscriptions: 4, regions: 3, poolsPerCluster: 2, ...overrides });
}

export async function startFaultEnv(
  options: {
    generated?: GeneratedFleet;
    azurite?: AzuriteOptions;
    simulator?: SimulatorOptions;
  } = {},
): Promise<FaultEnv> {
  const generated = options.generated ?? smallFleet();
  const local = await startLocalAzure({
    fleet: generated.fleet,
    azurite: { ...(options.azurite ?? {}), queues: true },
    simulator: options.simulator,
  });
  const logs: string[] = [];
  const notifierSettings: Settings = {
    ...local.settings,
    teamsWebhookUrl: local.sim.teamsWebhookUrl,
    mailSender: SENDER,
    mailTo: MAIL_TO,
  };
  const notifyDeps: NotifyDeps = {
    settings: notifierSettings,
    clients: local.clients,
    retry: { baseDelayMs: 20, maxDelayMs: 2000 },
  };
  const notifier = { accepted: [] as AlertBatch[], refused: 0, up: true };
  const batches = new AlertBatchStore(local.clients);
  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!notifier.up) {
        notifier.refused += 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"Down","message":"down"}}');
        return;
      }
      if (req.headers['x-functions-key'] !== NOTIFY_KEY) {
        res.writeHead(401).end();
        return;
      }
      const bytes = Buffer.concat(chunks);
      const runId = (JSON.parse(bytes.toString('utf8')) as { runId: string }).runId;
      const request = new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/notify',
        headers: {
          'content-type': String(req.headers['content-type'] ?? ''),
          authorization: String(req.headers.authorization ?? ''),
        },
        body: { bytes: new Uint8Array(bytes) },
      });
      const context = new InvocationContext({
        invocationId: 'fault-suite',
        functionName: 'notify',
        logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
      });
      handleNotify(request, context, notifyDeps)
        .then(async (response) => {
          const status = response.status ?? 200;
          const body = String(response.body ?? '{}');
          const result = JSON.parse(body) as { deliveries?: { status: string }[] };
          const fresh = (result.deliveries ?? []).some((d) => d.status === 'delivered' || d.status === 'queued');
          if (status < 300 && fresh) {
            const stored = await batches.get(runId);
            if (stored) notifier.accepted.push(stored);
          }
          res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        })
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const settings: Settings = {
    ...notifierSettings,
    notifyUrl: `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/notify`,
    notifyKey: NOTIFY_KEY,
  };
  const store = new FindingStore(local.clients);
  let current = generated;
  const env: FaultEnv = {
    local,
    get generated() {
      return current;
    },
    settings,
    store,
    logs,
    notifier,
    job: (jobOptions = {}) =>
      runScanJob(
        { settings, clients: local.clients, store, log: (line) => logs.push(line) },
        {
          trigger: 'timer',
          keepReport: true,
          ...jobOptions,
        },
      ),
    pump: async () =>
      (
        await drainQueue({
          queue: local.clients.queueClient(DELIVERY_QUEUE),
          poisonQueue: local.clients.queueClient(POISON_QUEUE),
          rounds: 1,
          handler: (message) => handleDeliveryMessage({ ...notifyDeps, log: (line) => logs.push(line) }, message),
        })
      ).handled,
    setFleet(next: GeneratedFleet) {
      current = next;
      local.sim.setFleet(next.fleet);
    },
    async stop() {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await local.stop();
    },
  };
  return env;
}

/** `status` or `fail/severity` per cluster ID (lower case) and rule. */
export function verdicts(report: Pick<ScanReport, 'clusters'>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const c of report.clusters) out.set(c.id.toLowerCase(), verdictsOf(c));
  return out;
}

export function verdictsOf(cluster: ClusterReport): Record<string, string> {
  return Object.fromEntries(
    cluster.findings.map((f) => [f.ruleId, f.status === 'fail' ? `fail/${f.severity}` : (f.status as Status)]),
  );
}

/** Ground truth in the same form (these runs read nothing inside the clusters). */
export function truthVerdicts(generated: GeneratedFleet): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [id, rules] of generated.truth) {
    out.set(
      id,
      Object.fromEntries(
        Object.entries(rules).map(([rule, truth]) => {
          const t = withInClusterOff(rule, truth);
          return [rule, t.status === 'fail' ? `fail/${t.severity}` : t.status];
        }),
      ),
    );
  }
  return out;
}

/** The differences between two verdict maps, as readable lines (empty when equal). */
export function diffVerdicts(
  got: Map<string, Record<string, string>>,
  want: Map<string, Record<string, string>>,
): string[] {
  const lines: string[] = [];
  for (const id of new Set([...got.keys(), ...want.keys()])) {
    const g = got.get(id);
    const w = want.get(id);
    if (!g || !w) {
      lines.push(`${id}: ${g ? 'unexpected' : 'missing'}`);
      continue;
    }
    for (const rule of new Set([...Object.keys(g), ...Object.keys(w)])) {
      if (g[rule] !== w[rule]) lines.push(`${id} ${rule}: got ${g[rule]}, want ${w[rule]}`);
    }
  }
  return lines;
}

/** Alert keys of the accepted batches (each key once per delivery). */
export function acceptedKeys(env: FaultEnv): string[] {
  return env.notifier.accepted.flatMap((b) => b.alerts.map((a) => a.key));
}

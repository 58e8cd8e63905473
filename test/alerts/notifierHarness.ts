// Shared set-up for the notifier tests: the simulator (Teams sink, Graph sendMail) and Azurite (tables and queues)
// through the real clients; stored alert batches; POST /api/notify through handleNotify; and the delivery queue
// drained as the Functions host's queue trigger would (test/harness/queuePump.ts), with a clock the tests move.
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { AlertBatch } from '../../src/alerts/alerts';
import { DELIVERY_QUEUE, POISON_QUEUE, type RetryPolicy } from '../../src/alerts/deliveryQueue';
import { handleDeliveryMessage } from '../../src/alerts/notifier';
import type { Settings } from '../../src/config/settings';
import { drainQueue } from '../harness/queuePump';
import { handleNotify, type NotifyDeps } from '../../src/http/notify';
import { AlertBatchStore } from '../../src/store/alertBatches';
import type { Fleet } from '../../sim/fleet/types';
import { startLocalAzure } from '../harness/localAzure';

export const SENDER = 'aks-alerts@contoso.com';
export const MAIL_TO = ['secops@contoso.com'];

export const EMPTY_FLEET: Fleet = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  subscriptions: [],
  clusters: [],
  kubernetesVersions: {},
  roleAssignments: [],
  directory: [],
};

export type Local = Awaited<ReturnType<typeof startLocalAzure>>;

/** The queue's back-off in tests: the real schedule's shape, zero real seconds (the test clock moves instead). */
export const TEST_POLICY: RetryPolicy = {
  firstDelaySeconds: 0,
  maxDelaySeconds: 0,
  maxAttempts: 50,
  maxAgeMs: 7 * 24 * 3600 * 1000,
  leaseMs: 10 * 60 * 1000,
};

export interface NotifierEnv {
  local: Local;
  settings: Settings;
  deps: NotifyDeps;
  logs: string[];
  clock: { now: Date };
  // The body is the handler's JSON; tests read it as they would a parsed response.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  post(body: string | Uint8Array, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  notify(runId: string): ReturnType<NotifierEnv['post']>;
  record(batch: AlertBatch): Promise<void>;
  /** Runs the queue trigger once over the messages visible now (up to 32); returns how many it handled. */
  pump(): Promise<number>;
  poisoned(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export function contextFor(logs: string[]): InvocationContext {
  return new InvocationContext({
    invocationId: 'test',
    functionName: 'notify',
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
}

export async function startNotifierEnv(extra: Partial<Settings> = {}): Promise<NotifierEnv> {
  const local = await startLocalAzure({ fleet: EMPTY_FLEET, azurite: { queues: true } });
  const settings: Settings = {
    ...local.settings,
    teamsWebhookUrl: local.sim.teamsWebhookUrl,
    mailSender: SENDER,
    mailTo: MAIL_TO,
    reportUrl: 'https://reports.contoso.com/api/reports/latest?format=html',
    ...extra,
  };
  const logs: string[] = [];
  const clock = { now: new Date() };
  const deps: NotifyDeps = {
    settings,
    clients: local.clients,
    retry: { baseDelayMs: 20, maxDelayMs: 5000 },
    policy: TEST_POLICY,
    now: () => clock.now,
  };
  // The scanner's own token for the API: it holds Alerts.Send.
  const scannerToken = await local.clients.credential.getToken(`${settings.apiAudience}/.default`);
  const post = async (body: string | Uint8Array, headers: Record<string, string> = {}) => {
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/notify',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${scannerToken!.token}`, ...headers },
      body: typeof body === 'string' ? { string: body } : { bytes: body },
    });
    const response = await handleNotify(request, contextFor(logs), deps);
    const text = typeof response.body === 'string' ? response.body : '';
    return { status: response.status ?? 200, body: text ? JSON.parse(text) : undefined };
  };
  const batches = new AlertBatchStore(local.clients);
  const queue = local.clients.queueClient(DELIVERY_QUEUE);
  const poisonQueue = local.clients.queueClient(POISON_QUEUE);
  return {
    local,
    settings,
    deps,
    logs,
    clock,
    post,
    notify: (runId) => post(JSON.stringify({ runId })),
    record: async (batch) => {
      await batches.record(batch, clock.now);
    },
    pump: async () => {
      const { handled } = await drainQueue({
        queue,
        poisonQueue,
        rounds: 1,
        handler: (message) => handleDeliveryMessage({ ...deps, log: (line) => logs.push(line) }, message),
      });
      return handled;
    },
    poisoned: async () => {
      await poisonQueue.createIfNotExists();
      const peeked = await poisonQueue.peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.map(
        (m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as Record<string, unknown>,
      );
    },
    stop: () => local.stop(),
  };
}

/** Clears what the simulator captured and counted, and its faults. */
export function resetSim(env: NotifierEnv): void {
  env.local.sim.captured.teams.length = 0;
  env.local.sim.captured.mail.length = 0;
  env.local.sim.counters.reset();
  env.local.sim.faults.clear();
}

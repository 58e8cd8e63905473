// Shared set-up for the notifier tests: the simulator (Teams sink, Graph sendMail) and Azurite through the real
// clients, and a small HTTP front for handleNotify so the scanner side posts over a real connection.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { Settings } from '../../src/config/settings';
import { handleNotify, type NotifyDeps } from '../../src/http/notify';
import type { Fleet } from '../../sim/fleet/types';
import { startLocalAzure } from '../harness/localAzure';

export const SENDER = 'aks-alerts@contoso.com';
export const MAIL_TO = ['secops@contoso.com'];
export const NOTIFY_KEY = 'test-function-key';

export const EMPTY_FLEET: Fleet = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  subscriptions: [],
  clusters: [],
  kubernetesVersions: {},
  roleAssignments: [],
  directory: [],
};

export type Local = Awaited<ReturnType<typeof startLocalAzure>>;

export interface NotifierEnv {
  local: Local;
  settings: Settings;
  deps: NotifyDeps;
  logs: string[];
  notifyUrl: string;
  /** Requests the notifier front received (to check the scanner's function key). */
  frontRequests: { key: string | undefined }[];
  // The body is the handler's JSON; tests read it as they would a parsed response.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  post(body: string | Uint8Array, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export function contextFor(logs: string[]): InvocationContext {
  return new InvocationContext({
    invocationId: 'test',
    functionName: 'notify',
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
}

export async function startNotifierEnv(): Promise<NotifierEnv> {
  const local = await startLocalAzure({ fleet: EMPTY_FLEET, azurite: true });
  const settings: Settings = {
    ...local.settings,
    teamsWebhookUrl: local.sim.teamsWebhookUrl,
    mailSender: SENDER,
    mailTo: MAIL_TO,
    notifyKey: NOTIFY_KEY,
  };
  const logs: string[] = [];
  const deps: NotifyDeps = { settings, clients: local.clients, retry: { baseDelayMs: 20, maxDelayMs: 5000 } };
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
    return { status: response.status ?? 200, body: response.jsonBody };
  };
  const frontRequests: { key: string | undefined }[] = [];
  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['x-functions-key'] as string | undefined;
      frontRequests.push({ key });
      if (key !== NOTIFY_KEY) {
        res.writeHead(401).end();
        return;
      }
      post(new Uint8Array(Buffer.concat(chunks)), {
        'content-type': String(req.headers['content-type'] ?? ''),
        authorization: String(req.headers.authorization ?? ''),
      }).then(
        (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body ?? {})),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const notifyUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/notify`;
  return {
    local,
    settings: { ...settings, notifyUrl },
    deps,
    logs,
    notifyUrl,
    frontRequests,
    post,
    stop: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await local.stop();
    },
  };
}

/** Clears what the simulator captured and counted, and its faults. */
export function resetSim(env: NotifierEnv): void {
  env.local.sim.captured.teams.length = 0;
  env.local.sim.captured.mail.length = 0;
  env.local.sim.counters.reset();
  env.local.sim.faults.clear();
}

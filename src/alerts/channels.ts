// The two ways out: a Teams Workflows webhook post and a Graph sendMail from the sender mailbox. Each call either
// succeeds or throws with a one-line reason; the notifier decides what a failure means (queue, give up).
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Settings } from '../config/settings';
import type { Alert, AlertBatch } from './alerts';
import type { DeadLetter } from './deadLetters';
import { buildMail } from './mail';
import type { Delivery } from './recipients';
import { defaultSleep, postJsonWithRetry, type RetryOptions } from './retry';
import { buildTeamsMessage } from './teamsCard';

export type ChannelSettings = Pick<Settings, 'teamsWebhookUrl' | 'mailSender' | 'reportUrl'>;

export interface SendInput {
  settings: ChannelSettings;
  graph: Client;
  batch: AlertBatch;
  delivery: Delivery;
  alerts: Alert[];
  deadLetters: DeadLetter[];
  retry?: RetryOptions;
}

/** Teams throttles above 4 requests a second: successive posts from one process keep 250 ms apart. */
const TEAMS_SPACING_MS = 250;
let nextTeamsSlot = 0;
async function teamsSlot(sleep: (ms: number) => Promise<void>): Promise<void> {
  const now = Date.now();
  const at = Math.max(now, nextTeamsSlot);
  nextTeamsSlot = at + TEAMS_SPACING_MS;
  if (at > now) await sleep(at - now);
}

export function describeError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string };
  const status = e.statusCode !== undefined ? `HTTP ${e.statusCode} ` : '';
  return `${status}${e.code ?? ''}${e.code && e.message ? ': ' : ''}${e.message ?? String(error)}`
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}

export async function sendDelivery(input: SendInput): Promise<void> {
  const { settings, batch, delivery, alerts, deadLetters } = input;
  if (delivery.channel === 'teams') {
    await teamsSlot(input.retry?.sleep ?? defaultSleep);
    const { message } = buildTeamsMessage(batch, alerts, { reportUrl: settings.reportUrl, deadLetters });
    // A few quick tries; longer outages are the delivery queue's (minutes to days apart).
    const result = await postJsonWithRetry(
      settings.teamsWebhookUrl!,
      message,
      {},
      { attempts: 3, timeoutMs: 15_000, ...input.retry },
    );
    if (!result.ok) throw new Error(`Teams webhook: ${result.error}`);
    return;
  }
  const owner = delivery.audience === 'owner' ? { clusterOwner: delivery.recipient } : undefined;
  const { subject, html } = buildMail(batch, alerts, owner, { reportUrl: settings.reportUrl, deadLetters });
  // The Graph client retries 429/503/504 itself, honouring Retry-After.
  await input.graph.api(`/users/${encodeURIComponent(settings.mailSender!)}/sendMail`).post({
    message: {
      subject,
      body: { contentType: 'HTML', content: html },
      toRecipients: [{ emailAddress: { address: delivery.recipient } }],
    },
    saveToSentItems: false,
  });
}

// Who receives a run's alerts: the Teams webhook, the configured recipients (the whole digest) and the owners named by
// the clusters' stored owner tags (their clusters' alerts only). Mail goes only to the allowed domains
// (AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS, default the sender's domain); anyone else is reported, never mailed. Pure.
import type { Settings } from '../config/settings';
import type { Alert, AlertBatch } from './alerts';
import { isValidEmail } from './mail';

export type RecipientSettings = Pick<Settings, 'teamsWebhookUrl' | 'mailSender' | 'mailTo' | 'mailAllowedDomains'>;

/** One delivery of a run: exactly once per (run, channel, recipient). */
export interface Delivery {
  channel: 'teams' | 'mail';
  /** `webhook` for Teams; the lower-cased address for mail. */
  recipient: string;
  /** `digest`: every alert of the run (Teams, the configured recipients); `owner`: that owner's clusters only. */
  audience: 'digest' | 'owner';
}

export interface InvalidOwner {
  clusterId: string;
  clusterName: string;
  reason: string;
}

export interface RefusedRecipient {
  recipient: string;
  /** Where the address came from. */
  source: 'owner tag' | 'AKS_COMPLIANCE_MAIL_TO';
  reason: string;
}

export interface DeliveryPlan {
  deliveries: Delivery[];
  notConfigured: string[];
  invalidOwners: InvalidOwner[];
  refusedRecipients: RefusedRecipient[];
}

export const TEAMS_RECIPIENT = 'webhook';

/** The domains mail may go to: the setting, or else the sender's domain (none when the sender is an object ID). */
export function allowedMailDomains(settings: Pick<Settings, 'mailSender' | 'mailAllowedDomains'>): string[] {
  if (settings.mailAllowedDomains.length > 0) return settings.mailAllowedDomains;
  const at = settings.mailSender?.lastIndexOf('@') ?? -1;
  return at > 0 ? [settings.mailSender!.slice(at + 1).toLowerCase()] : [];
}

export function domainAllowed(address: string, allowed: string[]): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return allowed.includes(domain);
}

/** The alerts a delivery carries. */
export function alertsFor(delivery: Delivery, batch: AlertBatch): Alert[] {
  if (delivery.audience === 'digest') return batch.alerts;
  return batch.alerts.filter((a) => a.ownerEmail?.trim().toLowerCase() === delivery.recipient);
}

export function planDeliveries(batch: AlertBatch, settings: RecipientSettings): DeliveryPlan {
  const notConfigured: string[] = [];
  const deliveries: Delivery[] = [];
  const invalid = new Map<string, InvalidOwner>();
  const refused = new Map<string, RefusedRecipient>();
  if (settings.teamsWebhookUrl) deliveries.push({ channel: 'teams', recipient: TEAMS_RECIPIENT, audience: 'digest' });
  else notConfigured.push('teams');

  const owners = new Set<string>();
  for (const alert of batch.alerts) {
    if (alert.ownerEmail === undefined) continue;
    const address = alert.ownerEmail.trim();
    if (isValidEmail(address)) owners.add(address.toLowerCase());
    else if (!invalid.has(alert.clusterId.toLowerCase())) {
      invalid.set(alert.clusterId.toLowerCase(), {
        clusterId: alert.clusterId,
        clusterName: alert.clusterName,
        reason: 'owner tag is not an email address',
      });
    }
  }
  if (!settings.mailSender) {
    if (settings.mailTo.length > 0 || owners.size > 0) notConfigured.push('mail');
  } else {
    const allowed = allowedMailDomains(settings);
    const why =
      allowed.length > 0
        ? `not in the allowed mail domains (${allowed.join(', ')})`
        : 'no allowed mail domain: the sender is an object ID and AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS is not set';
    const digest = new Set(settings.mailTo.map((a) => a.toLowerCase()));
    for (const address of [...digest].sort()) {
      if (domainAllowed(address, allowed)) deliveries.push({ channel: 'mail', recipient: address, audience: 'digest' });
      else refused.set(address, { recipient: address, source: 'AKS_COMPLIANCE_MAIL_TO', reason: why });
    }
    for (const address of [...owners].sort()) {
      if (digest.has(address)) continue; // already receives every alert
      if (domainAllowed(address, allowed)) deliveries.push({ channel: 'mail', recipient: address, audience: 'owner' });
      else refused.set(address, { recipient: address, source: 'owner tag', reason: why });
    }
    if (settings.mailTo.length === 0) notConfigured.push('mail (AKS_COMPLIANCE_MAIL_TO)');
  }
  return {
    deliveries,
    notConfigured,
    invalidOwners: [...invalid.values()],
    refusedRecipients: [...refused.values()],
  };
}

// App settings (environment variables), read once and validated at start-up. A bad value stops the app with a
// ConfigError naming the setting, instead of failing later in the middle of a scan.
// The shapes of the values are checked in the files beside this one; this file assembles them into Settings.
import { existsSync, statSync } from 'node:fs';
import { isSeverity, SEVERITIES, type Severity } from '../model';
import { CLOUDS, parseCloud, type CloudName } from './clouds';
import { checkNcrontab } from './ncrontab';
import { DEFAULT_SCHEDULE } from './settingsTable';
import { parseStorage, type StorageSetting } from './storage';
import {
  API_AUDIENCE,
  ConfigError,
  DOMAIN,
  EMAIL,
  GUID,
  MANAGEMENT_GROUP,
  TENANT,
  describeValue,
  parseBoolean,
  parseCount,
  parseEndpoint,
  parseInteger,
  parseList,
  parseUrl,
  read,
  type Env,
} from './values';

export { CLOUDS, MICROSOFT_AUTHORITY_HOSTS, isMicrosoftAuthorityHost } from './clouds';
export type { CloudEndpoints, CloudName } from './clouds';
export { checkNcrontab } from './ncrontab';
export { DEFAULT_SCHEDULE, SETTINGS } from './settingsTable';
export type { StorageSetting } from './storage';
export { ConfigError } from './values';

export interface Settings {
  cloud: CloudName;
  /** Azure Resource Manager endpoint, no trailing slash. */
  armEndpoint: string;
  /** Microsoft Graph endpoint (without `/v1.0`), no trailing slash. */
  graphEndpoint: string;
  /** Microsoft Entra ID authority host, no trailing slash. */
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  /**
   * Set only when AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are all set (service principal sign-in).
   * A secret: never log Settings as a whole; use describeSettings.
   */
  clientSecret?: string;
  storage?: StorageSetting;
  schedule: string;
  subscriptions: string[];
  managementGroups: string[];
  /**
   * Other tenants (Azure Lighthouse customers) whose directory the identity may read: their clusters' principals are
   * resolved there. Clusters of any other tenant have their principal checks unknown.
   */
  tenants: string[];
  notifyUrl?: string;
  notifyKey?: string;
  teamsWebhookUrl?: string;
  mailSender?: string;
  mailTo: string[];
  /** Domains alert mail may go to (lower case); empty: the sender's domain (see allowedMailDomains). */
  mailAllowedDomains: string[];
  alertMinSeverity: Severity;
  ownerTag: string;
  reportUrl?: string;
  nodeImageMaxAgeDays: number;
  eolWarningDays: number;
  supportCalendarPath?: string;
  /** The product API's app registration: its client ID (the `aud` of v2.0 tokens). */
  apiClientId?: string;
  /** The product API's application ID URI (the `aud` of v1.0 tokens, and the scope the scanner asks for). */
  apiAudience?: string;
  /** Read bindings, DaemonSets and nodes inside each cluster (AKS_COMPLIANCE_IN_CLUSTER). */
  inCluster: boolean;
  /** aks_k8s_cluster_admin_holders threshold. */
  maxClusterAdmins: number;
  /** Clusters read at once by the in-cluster pass. */
  inClusterConcurrency: number;
  /** Budget of one cluster's in-cluster reads, in seconds. */
  inClusterTimeoutSeconds: number;
}

/** Reads and validates every setting. Throws ConfigError naming the first bad setting. */
export function loadSettings(env: Env = process.env): Settings {
  const cloud = parseCloud(env);
  const endpoints = CLOUDS[cloud];
  const armOverride = read(env, 'AKS_COMPLIANCE_ARM_ENDPOINT');
  const graphOverride = read(env, 'AKS_COMPLIANCE_GRAPH_ENDPOINT');
  const authorityOverride = read(env, 'AZURE_AUTHORITY_HOST');
  const armEndpoint = armOverride ? parseEndpoint('AKS_COMPLIANCE_ARM_ENDPOINT', armOverride) : endpoints.armEndpoint;
  let graphEndpoint = graphOverride
    ? parseEndpoint('AKS_COMPLIANCE_GRAPH_ENDPOINT', graphOverride)
    : endpoints.graphEndpoint;
  // The version is chosen per request; accept an endpoint written with it.
  graphEndpoint = graphEndpoint.replace(/\/(v1\.0|beta)$/i, '');
  const authorityHost = authorityOverride
    ? parseEndpoint('AZURE_AUTHORITY_HOST', authorityOverride)
    : endpoints.authorityHost;

  const tenantId = read(env, 'AZURE_TENANT_ID');
  if (tenantId !== undefined && !TENANT.test(tenantId)) {
    throw new ConfigError(
      `AZURE_TENANT_ID must be a tenant GUID or domain name, got ${describeValue(tenantId)}`,
      'AZURE_TENANT_ID',
    );
  }
  const clientId = read(env, 'AZURE_CLIENT_ID');
  if (clientId !== undefined && !GUID.test(clientId)) {
    throw new ConfigError(`AZURE_CLIENT_ID must be a GUID, got ${describeValue(clientId)}`, 'AZURE_CLIENT_ID');
  }
  const clientSecret = read(env, 'AZURE_CLIENT_SECRET');
  if (clientSecret !== undefined && (tenantId === undefined || clientId === undefined)) {
    throw new ConfigError(
      'AZURE_CLIENT_SECRET is set but AZURE_TENANT_ID and AZURE_CLIENT_ID are not both set: service principal sign-in needs all three',
      'AZURE_CLIENT_SECRET',
    );
  }

  const rawSchedule = read(env, 'AKS_COMPLIANCE_SCHEDULE');
  const schedule = rawSchedule === undefined ? DEFAULT_SCHEDULE : checkNcrontab(rawSchedule);

  const subscriptions = [
    ...new Set(
      parseList(env, 'AKS_COMPLIANCE_SUBSCRIPTIONS', (s) => GUID.test(s), 'a subscription ID (GUID)').map((s) =>
        s.toLowerCase(),
      ),
    ),
  ];
  const managementGroups = parseList(
    env,
    'AKS_COMPLIANCE_MANAGEMENT_GROUPS',
    (s) => MANAGEMENT_GROUP.test(s),
    'a management group ID (letters, digits, -_(). up to 90 characters)',
  );

  const tenants = [
    ...new Set(
      parseList(env, 'AKS_COMPLIANCE_TENANTS', (s) => GUID.test(s), 'a tenant ID (GUID)').map((s) => s.toLowerCase()),
    ),
  ];

  const notifyUrlRaw = read(env, 'AKS_COMPLIANCE_NOTIFY_URL');
  const notifyUrl = notifyUrlRaw
    ? // The scanner sends its bearer token there: plain http only to a notifier on the same machine.
      parseUrl('AKS_COMPLIANCE_NOTIFY_URL', notifyUrlRaw, { httpsOnly: false, httpOnlyLoopback: true })
    : undefined;
  const notifyKey = read(env, 'AKS_COMPLIANCE_NOTIFY_KEY');
  if (notifyKey?.startsWith('@Microsoft.KeyVault(')) {
    throw new ConfigError(
      "AKS_COMPLIANCE_NOTIFY_KEY is an unresolved Key Vault reference: grant the app's identity access to the secret",
      'AKS_COMPLIANCE_NOTIFY_KEY',
    );
  }
  const apiClientId = read(env, 'AKS_COMPLIANCE_API_CLIENT_ID');
  if (apiClientId !== undefined && !GUID.test(apiClientId)) {
    throw new ConfigError(
      `AKS_COMPLIANCE_API_CLIENT_ID must be the API app registration's client ID (a GUID), got ${describeValue(apiClientId)}`,
      'AKS_COMPLIANCE_API_CLIENT_ID',
    );
  }
  const apiAudienceRaw = read(env, 'AKS_COMPLIANCE_API_AUDIENCE');
  const apiAudience = apiAudienceRaw?.replace(/\/+$/, '');
  if (apiAudience !== undefined && !API_AUDIENCE.test(apiAudience)) {
    throw new ConfigError(
      `AKS_COMPLIANCE_API_AUDIENCE must be an application ID URI (api://..., https://...) or a client ID, got ${describeValue(apiAudience)}`,
      'AKS_COMPLIANCE_API_AUDIENCE',
    );
  }
  const teamsRaw = read(env, 'AKS_COMPLIANCE_TEAMS_WEBHOOK_URL');
  const teamsWebhookUrl = teamsRaw
    ? parseUrl('AKS_COMPLIANCE_TEAMS_WEBHOOK_URL', teamsRaw, { httpsOnly: true })
    : undefined;

  const mailSender = read(env, 'AKS_COMPLIANCE_MAIL_SENDER');
  if (mailSender !== undefined && !EMAIL.test(mailSender) && !GUID.test(mailSender)) {
    throw new ConfigError(
      `AKS_COMPLIANCE_MAIL_SENDER must be a mailbox address or user object ID, got ${describeValue(mailSender)}`,
      'AKS_COMPLIANCE_MAIL_SENDER',
    );
  }
  const mailTo = parseList(env, 'AKS_COMPLIANCE_MAIL_TO', (s) => EMAIL.test(s), 'an email address');
  const mailAllowedDomains = [
    ...new Set(
      parseList(env, 'AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS', (s) => DOMAIN.test(s), 'a domain name (contoso.com)').map(
        (s) => s.toLowerCase(),
      ),
    ),
  ];

  const severityRaw = read(env, 'AKS_COMPLIANCE_ALERT_MIN_SEVERITY');
  let alertMinSeverity: Severity = 'high';
  if (severityRaw !== undefined) {
    const lower = severityRaw.toLowerCase();
    if (!isSeverity(lower)) {
      throw new ConfigError(
        `AKS_COMPLIANCE_ALERT_MIN_SEVERITY must be one of ${SEVERITIES.join(', ')}, got ${describeValue(severityRaw)}`,
        'AKS_COMPLIANCE_ALERT_MIN_SEVERITY',
      );
    }
    alertMinSeverity = lower;
  }

  const ownerTag = read(env, 'AKS_COMPLIANCE_OWNER_TAG') ?? 'owner';
  if (ownerTag.length > 512 || /[<>%&\\?/]/.test(ownerTag)) {
    throw new ConfigError(
      `AKS_COMPLIANCE_OWNER_TAG is not a valid tag name: ${describeValue(ownerTag)}`,
      'AKS_COMPLIANCE_OWNER_TAG',
    );
  }

  const reportRaw = read(env, 'AKS_COMPLIANCE_REPORT_URL');
  const reportUrl = reportRaw ? parseUrl('AKS_COMPLIANCE_REPORT_URL', reportRaw, { httpsOnly: false }) : undefined;

  const nodeImageMaxAgeDays = parseInteger(env, 'AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS', 30, 1, 3650);
  const eolWarningDays = parseInteger(env, 'AKS_COMPLIANCE_EOL_WARNING_DAYS', 60, 0, 3650);
  const inCluster = parseBoolean(env, 'AKS_COMPLIANCE_IN_CLUSTER', false);
  const maxClusterAdmins = parseCount(env, 'AKS_COMPLIANCE_MAX_CLUSTER_ADMINS', 10, 0, 100_000);
  const inClusterConcurrency = parseCount(env, 'AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY', 16, 1, 256);
  const inClusterTimeoutSeconds = parseCount(env, 'AKS_COMPLIANCE_IN_CLUSTER_TIMEOUT_SECONDS', 60, 1, 3600);

  const supportCalendarPath = read(env, 'AKS_COMPLIANCE_SUPPORT_CALENDAR');
  if (
    supportCalendarPath !== undefined &&
    !(existsSync(supportCalendarPath) && statSync(supportCalendarPath).isFile())
  ) {
    throw new ConfigError(
      `AKS_COMPLIANCE_SUPPORT_CALENDAR: file not found: ${describeValue(supportCalendarPath)}`,
      'AKS_COMPLIANCE_SUPPORT_CALENDAR',
    );
  }

  const settings: Settings = {
    cloud,
    armEndpoint,
    graphEndpoint,
    authorityHost,
    schedule,
    subscriptions,
    managementGroups,
    tenants,
    mailTo,
    mailAllowedDomains,
    alertMinSeverity,
    ownerTag,
    nodeImageMaxAgeDays,
    eolWarningDays,
    inCluster,
    maxClusterAdmins,
    inClusterConcurrency,
    inClusterTimeoutSeconds,
  };
  const optional = {
    tenantId,
    clientId,
    clientSecret,
    storage: parseStorage(env, cloud),
    notifyUrl,
    notifyKey,
    teamsWebhookUrl,
    mailSender,
    reportUrl,
    supportCalendarPath,
    apiClientId: apiClientId?.toLowerCase(),
    apiAudience,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
  }
  return settings;
}

/** A URL without its query and fragment, which may carry a key (a function key `code`, a SAS signature). */
function withoutQuery(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname}${url.search || url.hash ? '?***' : ''}`;
}

/** Settings safe to log: secrets, connection strings and URL queries masked. */
export function describeSettings(settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = { ...settings };
  if (settings.clientSecret) out.clientSecret = '***';
  if (settings.notifyKey) out.notifyKey = '***';
  if (settings.notifyUrl) out.notifyUrl = withoutQuery(settings.notifyUrl);
  if (settings.reportUrl) out.reportUrl = withoutQuery(settings.reportUrl);
  if (settings.teamsWebhookUrl) out.teamsWebhookUrl = `${new URL(settings.teamsWebhookUrl).origin}/***`;
  if (settings.storage?.kind === 'connectionString')
    out.storage = { kind: 'connectionString', connectionString: '***' };
  if (settings.storage?.kind === 'url') out.storage = { kind: 'url', url: withoutQuery(settings.storage.url) };
  return out;
}

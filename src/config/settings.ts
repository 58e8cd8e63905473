// App settings (environment variables), read once and validated at start-up. A bad value stops the app with a
// ConfigError naming the setting, instead of failing later in the middle of a scan.
import { existsSync, statSync } from 'node:fs';
import { isSeverity, SEVERITIES, type Severity } from '../model';

export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export type StorageSetting = { kind: 'connectionString'; connectionString: string } | { kind: 'url'; url: string };

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

/** A setting that is missing or malformed; the message names the setting and what is wrong with it. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly setting?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface CloudEndpoints {
  armEndpoint: string;
  graphEndpoint: string;
  authorityHost: string;
  /** DNS suffix of storage endpoints, for identity-based storage given by account name. */
  storageSuffix: string;
}

export const CLOUDS: Record<CloudName, CloudEndpoints> = {
  AzureCloud: {
    armEndpoint: 'https://management.azure.com',
    graphEndpoint: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    storageSuffix: 'core.windows.net',
  },
  AzureUSGovernment: {
    armEndpoint: 'https://management.usgovcloudapi.net',
    graphEndpoint: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    storageSuffix: 'core.usgovcloudapi.net',
  },
  AzureChinaCloud: {
    armEndpoint: 'https://management.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    storageSuffix: 'core.chinacloudapi.cn',
  },
};

export const DEFAULT_SCHEDULE = '0 0 2 * * *';

/** The configuration table (docs/configuration.md): every setting the product reads. */
export const SETTINGS: { name: string; meaning: string; default: string }[] = [
  {
    name: 'AzureWebJobsStorage',
    meaning: 'Functions storage; also the Table Storage account unless `AKS_COMPLIANCE_STORAGE` is set',
    default: '(required in Azure)',
  },
  {
    name: 'AKS_COMPLIANCE_STORAGE',
    meaning: 'a connection string or a table service URL (then the managed identity is used)',
    default: '`AzureWebJobsStorage`',
  },
  {
    name: 'AKS_COMPLIANCE_SCHEDULE',
    meaning: 'NCRONTAB (6 fields) for the nightly scan (the timer reads `%AKS_COMPLIANCE_SCHEDULE%`)',
    default: `\`${DEFAULT_SCHEDULE}\``,
  },
  {
    name: 'AKS_COMPLIANCE_SUBSCRIPTIONS',
    meaning: 'comma list of subscription IDs narrowing the scope',
    default: 'whole tenant',
  },
  {
    name: 'AKS_COMPLIANCE_MANAGEMENT_GROUPS',
    meaning: 'comma list of management group IDs narrowing the scope',
    default: 'whole tenant',
  },
  {
    name: 'AKS_COMPLIANCE_TENANTS',
    meaning:
      "comma list of other tenant IDs (Azure Lighthouse customers) whose Microsoft Graph the identity can sign in to (a multi-tenant app consented there): their clusters' principals and admin groups are resolved in their own directory; clusters of any other tenant have those checks `unknown`",
    default: 'none',
  },
  { name: 'AZURE_CLOUD', meaning: '`AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`', default: '`AzureCloud`' },
  {
    name: 'AKS_COMPLIANCE_ARM_ENDPOINT',
    meaning: "override the cloud's Azure Resource Manager endpoint (Azure Stack, a private cloud, a simulator)",
    default: "the cloud's",
  },
  {
    name: 'AKS_COMPLIANCE_GRAPH_ENDPOINT',
    meaning: "override the cloud's Microsoft Graph endpoint (Azure Stack, a private cloud, a simulator)",
    default: "the cloud's",
  },
  {
    name: 'AZURE_AUTHORITY_HOST',
    meaning: 'the Microsoft Entra ID sign-in host; a non-Microsoft host disables instance discovery',
    default: "the cloud's",
  },
  { name: 'AZURE_TENANT_ID', meaning: 'tenant to sign in to (service principal or developer sign-in)', default: '' },
  {
    name: 'AZURE_CLIENT_ID',
    meaning: 'service principal application ID, or the client ID of a user-assigned managed identity',
    default: 'system-assigned managed identity',
  },
  {
    name: 'AZURE_CLIENT_SECRET',
    meaning: 'service principal secret; with `AZURE_TENANT_ID` and `AZURE_CLIENT_ID` selects service principal sign-in',
    default: 'managed identity / developer sign-in',
  },
  { name: 'NODE_EXTRA_CA_CERTS', meaning: 'the standard Node variable for a private CA (a PEM file)', default: '' },
  {
    name: 'AKS_COMPLIANCE_NOTIFY_URL',
    meaning:
      'where the scanner posts run IDs for delivery (the notifier function; the scanner signs in with its managed identity)',
    default: '',
  },
  { name: 'AKS_COMPLIANCE_NOTIFY_KEY', meaning: "the notifier function's key", default: '' },
  {
    name: 'AKS_COMPLIANCE_API_CLIENT_ID',
    meaning:
      "client ID of the API's app registration (required by the HTTP functions; the registration issues v2 access tokens, whose `aud` is this ID)",
    default: '',
  },
  {
    name: 'AKS_COMPLIANCE_API_AUDIENCE',
    meaning:
      "application ID URI of the API's app registration (e.g. `api://<client ID>`): also accepted as `aud`; the scanner asks for `<URI>/.default` to call the notifier",
    default: '',
  },
  {
    name: 'AKS_COMPLIANCE_TEAMS_WEBHOOK_URL',
    meaning: 'a Teams Workflows webhook (store it as a Key Vault reference)',
    default: '',
  },
  { name: 'AKS_COMPLIANCE_MAIL_SENDER', meaning: 'the mailbox that sends alerts (Graph sendMail)', default: '' },
  { name: 'AKS_COMPLIANCE_MAIL_TO', meaning: 'comma list of default alert recipients', default: '' },
  {
    name: 'AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS',
    meaning:
      'comma list of domains alert mail may go to (exact domains); a recipient elsewhere (owner tag or setting) is reported, never mailed',
    default: "the sender's domain",
  },
  { name: 'AKS_COMPLIANCE_ALERT_MIN_SEVERITY', meaning: 'lowest severity that alerts', default: '`high`' },
  {
    name: 'AKS_COMPLIANCE_OWNER_TAG',
    meaning: "cluster tag whose value (an email) also receives that cluster's alerts",
    default: '`owner`',
  },
  { name: 'AKS_COMPLIANCE_REPORT_URL', meaning: 'link to the report placed in alerts', default: '' },
  {
    name: 'AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS',
    meaning: 'rule threshold: maximum node image age in days',
    default: '30',
  },
  {
    name: 'AKS_COMPLIANCE_EOL_WARNING_DAYS',
    meaning: 'rule threshold: days before end of support that a version is flagged',
    default: '60',
  },
  {
    name: 'AKS_COMPLIANCE_IN_CLUSTER',
    meaning:
      'read ClusterRoleBindings, RoleBindings, ClusterRoles, kube-system DaemonSets and nodes inside each cluster (`true`/`false`); needs the access in docs/permissions.md',
    default: '`false`',
  },
  {
    name: 'AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY',
    meaning: 'clusters the in-cluster pass reads at once',
    default: '16',
  },
  {
    name: 'AKS_COMPLIANCE_IN_CLUSTER_TIMEOUT_SECONDS',
    meaning:
      "budget of one cluster's in-cluster reads; an API server that does not answer in time (authorized IP ranges, no network path) is unknown with that reason",
    default: '60',
  },
  {
    name: 'AKS_COMPLIANCE_MAX_CLUSTER_ADMINS',
    meaning: 'rule threshold: most effective cluster-admin holders (groups expanded to their members) that pass',
    default: '10',
  },
  {
    name: 'AKS_COMPLIANCE_SUPPORT_CALENDAR',
    meaning: 'path to your own end-of-support calendar JSON (same shape as the shipped file)',
    default: 'the shipped calendar',
  },
];

/** Authority hosts MSAL knows; any other host needs instance discovery turned off. */
export const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

export function isMicrosoftAuthorityHost(authorityHost: string): boolean {
  try {
    return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An application ID URI (api://..., https://...) or a bare client ID; no whitespace, quotes or commas.
const API_AUDIENCE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/[^\s"',]{1,500}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;
// Management group IDs: letters, digits, `-_().`, up to 90 characters.
const MANAGEMENT_GROUP = /^[A-Za-z0-9\-_().]{1,90}$/;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
const DOMAIN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function describeValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseUrl(name: string, value: string, options: { httpsOnly: boolean; httpOnlyLoopback?: boolean }): string {
  if (value.startsWith('@Microsoft.KeyVault(')) {
    throw new ConfigError(
      `${name} is an unresolved Key Vault reference: grant the app's identity access to the secret`,
      name,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not repeated: URLs of these settings may carry a key (`?code=`, `sig=`, a SAS token).
    throw new ConfigError(`${name} is not a valid URL (expected https://host/...)`, name);
  }
  if (url.protocol !== 'https:' && (options.httpsOnly || url.protocol !== 'http:')) {
    throw new ConfigError(
      `${name} must be an ${options.httpsOnly ? 'https' : 'http(s)'} URL (got ${url.protocol.replace(':', '')})`,
      name,
    );
  }
  if (url.protocol === 'http:' && options.httpOnlyLoopback && !LOOPBACK.has(url.hostname.toLowerCase())) {
    throw new ConfigError(`${name} must be an https URL (plain http only to this machine: localhost)`, name);
  }
  return value.replace(/\/+$/, '');
}

/** An endpoint: https only (Azure SDKs refuse bearer tokens over plain http), no path beyond the root. */
function parseEndpoint(name: string, value: string): string {
  const endpoint = parseUrl(name, value, { httpsOnly: true });
  const url = new URL(endpoint);
  if (url.search || url.hash) throw new ConfigError(`${name} must not carry a query or fragment`, name);
  return endpoint;
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new ConfigError(`${name} must be a whole number of days, got ${describeValue(raw)}`, name);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`, name);
  return value;
}

function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${describeValue(raw)}`, name);
}

function parseCount(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be a whole number, got ${describeValue(raw)}`, name);
  const value = Number(raw.trim());
  if (value < min || value > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`, name);
  return value;
}

function parseList(env: Env, name: string, check: (item: string) => boolean, what: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!check(item)) throw new ConfigError(`${name}: ${describeValue(item)} is not ${what}`, name);
  }
  return [...new Set(items)];
}

function parseCloud(env: Env): CloudName {
  const raw = read(env, 'AZURE_CLOUD');
  if (raw === undefined) return 'AzureCloud';
  const match = (Object.keys(CLOUDS) as CloudName[]).find((c) => c.toLowerCase() === raw.toLowerCase());
  if (!match) {
    throw new ConfigError(
      `AZURE_CLOUD must be one of ${Object.keys(CLOUDS).join(', ')}, got ${describeValue(raw)}`,
      'AZURE_CLOUD',
    );
  }
  return match;
}

const CRON_FIELDS: { label: string; min: number; max: number; names?: string[] }[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  {
    label: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { label: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function cronValue(token: string, field: (typeof CRON_FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = field.names?.indexOf(token.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  // Month names count from 1, day names from 0 (Sunday).
  return field.min + index;
}

/** Sanity check of a 6-field NCRONTAB expression (second minute hour day month day-of-week). */
export function checkNcrontab(expression: string, name = 'AKS_COMPLIANCE_SCHEDULE'): string {
  if (/^%[^%]+%$/.test(expression)) {
    throw new ConfigError(`${name} must be an NCRONTAB expression itself, not a reference to another setting`, name);
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ConfigError(
      `${name} must have 6 NCRONTAB fields (second minute hour day month day-of-week), got ${fields.length}: ${describeValue(expression)}`,
      name,
    );
  }
  fields.forEach((text, i) => {
    const field = CRON_FIELDS[i];
    const bad = (why: string): never => {
      throw new ConfigError(`${name}: ${field.label} field ${describeValue(text)} ${why}`, name);
    };
    for (const part of text.split(',')) {
      const [range, step, extra] = part.split('/');
      if (extra !== undefined) bad('has more than one "/"');
      if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) bad('has an invalid step');
      if (range === '*') continue;
      const bounds = range.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) bad('is not a number, range, list or step');
      const values = bounds.map((b) => cronValue(b, field));
      for (const v of values) {
        if (v === undefined) bad('is not a number, range, list or step');
        // Day of week 7 is Sunday in NCRONTAB as in cron.
        else if (v < field.min || v > (i === 5 ? 7 : field.max)) bad(`is outside ${field.min}-${field.max}`);
      }
      if (values.length === 2 && (values[0] as number) > (values[1] as number)) bad('has a descending range');
    }
  });
  return fields.join(' ');
}

function parseStorage(env: Env, cloud: CloudName): StorageSetting | undefined {
  const own = read(env, 'AKS_COMPLIANCE_STORAGE');
  const name = own !== undefined ? 'AKS_COMPLIANCE_STORAGE' : 'AzureWebJobsStorage';
  const value = own ?? read(env, 'AzureWebJobsStorage');
  if (value === undefined) {
    // Identity-based Functions storage (AzureWebJobsStorage__tableServiceUri / __accountName).
    const tableUri = read(env, 'AzureWebJobsStorage__tableServiceUri');
    if (tableUri) {
      return { kind: 'url', url: parseUrl('AzureWebJobsStorage__tableServiceUri', tableUri, { httpsOnly: false }) };
    }
    const account = read(env, 'AzureWebJobsStorage__accountName');
    if (account) {
      if (!/^[a-z0-9]{3,24}$/.test(account)) {
        throw new ConfigError(
          `AzureWebJobsStorage__accountName is not a storage account name: ${describeValue(account)}`,
          'AzureWebJobsStorage__accountName',
        );
      }
      return { kind: 'url', url: `https://${account}.table.${CLOUDS[cloud].storageSuffix}` };
    }
    return undefined;
  }
  if (/^https?:\/\//i.test(value)) return { kind: 'url', url: parseUrl(name, value, { httpsOnly: false }) };
  if (value.startsWith('@Microsoft.KeyVault(')) {
    throw new ConfigError(
      `${name} is an unresolved Key Vault reference: grant the app's identity access to the secret`,
      name,
    );
  }
  if (/^UseDevelopmentStorage=true;?$/i.test(value)) return { kind: 'connectionString', connectionString: value };
  const pairs = value.split(';').filter((p) => p.trim() !== '');
  const keys = new Set(pairs.map((p) => p.slice(0, p.indexOf('=')).trim().toLowerCase()));
  if (pairs.some((p) => p.indexOf('=') <= 0)) {
    throw new ConfigError(
      `${name} is neither a storage connection string (Key=Value;...) nor a table service URL`,
      name,
    );
  }
  const hasEndpoint = keys.has('tableendpoint') || keys.has('accountname');
  const hasSecret = keys.has('accountkey') || keys.has('sharedaccesssignature');
  if (!hasEndpoint || !hasSecret) {
    throw new ConfigError(
      `${name} connection string needs AccountName (or TableEndpoint) and AccountKey (or SharedAccessSignature)`,
      name,
    );
  }
  return { kind: 'connectionString', connectionString: value };
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

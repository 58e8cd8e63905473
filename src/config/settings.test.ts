import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkNcrontab,
  ConfigError,
  describeSettings,
  isMicrosoftAuthorityHost,
  loadSettings,
  SETTINGS,
} from './settings';

const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '11111111-2222-3333-4444-555555555555';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadSettings', () => {
  it('applies the documented defaults for an empty environment', () => {
    const s = loadSettings({});
    expect(s).toEqual({
      cloud: 'AzureCloud',
      armEndpoint: 'https://management.azure.com',
      graphEndpoint: 'https://graph.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      schedule: '0 0 2 * * *',
      subscriptions: [],
      managementGroups: [],
      tenants: [],
      mailTo: [],
      mailAllowedDomains: [],
      alertMinSeverity: 'high',
      ownerTag: 'owner',
      nodeImageMaxAgeDays: 30,
      eolWarningDays: 60,
      inCluster: false,
      maxClusterAdmins: 10,
      inClusterConcurrency: 16,
      inClusterTimeoutSeconds: 60,
    });
  });

  it.each([
    [
      'AzureUSGovernment',
      'https://management.usgovcloudapi.net',
      'https://graph.microsoft.us',
      'https://login.microsoftonline.us',
    ],
    [
      'AzureChinaCloud',
      'https://management.chinacloudapi.cn',
      'https://microsoftgraph.chinacloudapi.cn',
      'https://login.chinacloudapi.cn',
    ],
  ])('knows the %s endpoints', (cloud, arm, graph, authority) => {
    const s = loadSettings({ AZURE_CLOUD: cloud });
    expect([s.cloud, s.armEndpoint, s.graphEndpoint, s.authorityHost]).toEqual([cloud, arm, graph, authority]);
  });

  it('takes endpoint overrides without trailing slashes or the Graph version', () => {
    const s = loadSettings({
      AZURE_CLOUD: 'AzureUSGovernment',
      AKS_COMPLIANCE_ARM_ENDPOINT: 'https://127.0.0.1:8443/',
      AKS_COMPLIANCE_GRAPH_ENDPOINT: 'https://localhost:8443/v1.0/',
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443/',
    });
    expect(s.armEndpoint).toBe('https://127.0.0.1:8443');
    expect(s.graphEndpoint).toBe('https://localhost:8443');
    expect(s.authorityHost).toBe('https://127.0.0.1:8443');
  });

  it('reads every optional setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const calendar = join(dir, 'calendar.json');
    writeFileSync(calendar, '{}');
    const s = loadSettings({
      AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
      AZURE_CLIENT_ID: SUB_B,
      AZURE_CLIENT_SECRET: 'secret-value',
      AKS_COMPLIANCE_SUBSCRIPTIONS: ` ${SUB_A.toUpperCase()}, ${SUB_B},,${SUB_A}`,
      AKS_COMPLIANCE_MANAGEMENT_GROUPS: 'platform,landing-zones',
      AKS_COMPLIANCE_SCHEDULE: '0 30 1 * * Mon-Fri',
      AKS_COMPLIANCE_NOTIFY_URL: 'https://app.azurewebsites.net/api/notify',
      AKS_COMPLIANCE_NOTIFY_KEY: 'key',
      AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: 'https://prod.westeurope.logic.azure.com/workflows/abc',
      AKS_COMPLIANCE_MAIL_SENDER: 'aks-compliance@contoso.com',
      AKS_COMPLIANCE_MAIL_TO: 'a@contoso.com, b@contoso.com',
      AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS: 'Contoso.com, fabrikam.example,contoso.com',
      AKS_COMPLIANCE_ALERT_MIN_SEVERITY: 'Medium',
      AKS_COMPLIANCE_OWNER_TAG: 'team-owner',
      AKS_COMPLIANCE_REPORT_URL: 'https://reports.contoso.com/aks',
      AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS: '14',
      AKS_COMPLIANCE_EOL_WARNING_DAYS: '0',
      AKS_COMPLIANCE_IN_CLUSTER: 'TRUE',
      AKS_COMPLIANCE_MAX_CLUSTER_ADMINS: '25',
      AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY: '4',
      AKS_COMPLIANCE_IN_CLUSTER_TIMEOUT_SECONDS: '15',
      AKS_COMPLIANCE_SUPPORT_CALENDAR: calendar,
      AKS_COMPLIANCE_STORAGE: 'https://acct.table.core.windows.net/',
    });
    expect(s.subscriptions).toEqual([SUB_A, SUB_B]);
    expect(s.managementGroups).toEqual(['platform', 'landing-zones']);
    expect(s.schedule).toBe('0 30 1 * * Mon-Fri');
    expect(s.mailTo).toEqual(['a@contoso.com', 'b@contoso.com']);
    expect(s.mailAllowedDomains).toEqual(['contoso.com', 'fabrikam.example']);
    expect(s.alertMinSeverity).toBe('medium');
    expect(s.nodeImageMaxAgeDays).toBe(14);
    expect(s.eolWarningDays).toBe(0);
    expect([s.inCluster, s.maxClusterAdmins, s.inClusterConcurrency, s.inClusterTimeoutSeconds]).toEqual([
      true,
      25,
      4,
      15,
    ]);
    expect(s.supportCalendarPath).toBe(calendar);
    expect(s.storage).toEqual({ kind: 'url', url: 'https://acct.table.core.windows.net' });
    expect(s.clientSecret).toBe('secret-value');
    expect(JSON.stringify(describeSettings(s))).not.toMatch(/secret-value|workflows\/abc/);
  });

  it('describes settings without keys in URLs, and names a bad URL without repeating it', () => {
    const s = loadSettings({
      AKS_COMPLIANCE_NOTIFY_URL: 'https://app.azurewebsites.net/api/notify?code=function-key',
      AKS_COMPLIANCE_REPORT_URL: 'https://app.azurewebsites.net/api/reports/latest?format=html&code=report-key',
      AKS_COMPLIANCE_STORAGE: 'https://acct.table.core.windows.net/?sv=2024-01-01&sig=sas-signature',
    });
    const described = JSON.stringify(describeSettings(s));
    expect(described).not.toMatch(/function-key|report-key|sas-signature/);
    expect(described).toContain('https://app.azurewebsites.net/api/notify?***');
    const badUrl = () =>
      loadSettings({ AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: 'prod.logic.azure.com/workflows/x?sig=webhook-sig' });
    expect(badUrl).toThrow(/^AKS_COMPLIANCE_TEAMS_WEBHOOK_URL is not a valid URL/);
    expect(badUrl).not.toThrow(/webhook-sig|workflows/);
  });

  it('prefers AKS_COMPLIANCE_STORAGE over AzureWebJobsStorage, and accepts connection strings', () => {
    const cs = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    expect(loadSettings({ AzureWebJobsStorage: cs }).storage).toEqual({
      kind: 'connectionString',
      connectionString: cs,
    });
    expect(
      loadSettings({ AzureWebJobsStorage: cs, AKS_COMPLIANCE_STORAGE: 'UseDevelopmentStorage=true' }).storage,
    ).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
    expect(loadSettings({ AzureWebJobsStorage__accountName: 'acct' }).storage).toEqual({
      kind: 'url',
      url: 'https://acct.table.core.windows.net',
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['AZURE_CLOUD', { AZURE_CLOUD: 'AzureGermanCloud' }, /AZURE_CLOUD must be one of AzureCloud, AzureUSGovernment/],
    [
      'AKS_COMPLIANCE_ARM_ENDPOINT',
      { AKS_COMPLIANCE_ARM_ENDPOINT: 'not a url' },
      /AKS_COMPLIANCE_ARM_ENDPOINT is not a valid URL/,
    ],
    ['AKS_COMPLIANCE_GRAPH_ENDPOINT', { AKS_COMPLIANCE_GRAPH_ENDPOINT: 'http://localhost:1' }, /must be an https URL/],
    ['AZURE_AUTHORITY_HOST', { AZURE_AUTHORITY_HOST: 'ftp://x' }, /AZURE_AUTHORITY_HOST must be an https URL/],
    [
      'AKS_COMPLIANCE_ALERT_MIN_SEVERITY',
      { AKS_COMPLIANCE_ALERT_MIN_SEVERITY: 'urgent' },
      /must be one of critical, high, medium, low, got "urgent"/,
    ],
    [
      'AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS',
      { AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS: '7.5' },
      /must be a whole number of days, got "7.5"/,
    ],
    ['AKS_COMPLIANCE_EOL_WARNING_DAYS', { AKS_COMPLIANCE_EOL_WARNING_DAYS: 'sixty' }, /whole number/],
    ['AKS_COMPLIANCE_IN_CLUSTER', { AKS_COMPLIANCE_IN_CLUSTER: 'yes' }, /must be true or false/],
    ['AKS_COMPLIANCE_MAX_CLUSTER_ADMINS', { AKS_COMPLIANCE_MAX_CLUSTER_ADMINS: '-1' }, /whole number/],
    ['AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY', { AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY: '0' }, /between 1 and 256/],
    ['AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS', { AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS: '0' }, /between 1 and 3650/],
    [
      'AKS_COMPLIANCE_SUBSCRIPTIONS',
      { AKS_COMPLIANCE_SUBSCRIPTIONS: `${SUB_A},prod` },
      /"prod" is not a subscription ID/,
    ],
    ['AKS_COMPLIANCE_TENANTS', { AKS_COMPLIANCE_TENANTS: 'contoso.com' }, /"contoso.com" is not a tenant ID/],
    [
      'AKS_COMPLIANCE_MANAGEMENT_GROUPS',
      { AKS_COMPLIANCE_MANAGEMENT_GROUPS: 'a b' },
      /"a b" is not a management group ID/,
    ],
    ['AKS_COMPLIANCE_SCHEDULE', { AKS_COMPLIANCE_SCHEDULE: '0 2 * * *' }, /must have 6 NCRONTAB fields.*got 5/],
    ['AKS_COMPLIANCE_SCHEDULE', { AKS_COMPLIANCE_SCHEDULE: '0 0 25 * * *' }, /hour field "25" is outside 0-23/],
    ['AKS_COMPLIANCE_SCHEDULE', { AKS_COMPLIANCE_SCHEDULE: '0 0 2 * * Funday' }, /day of week field "Funday"/],
    ['AKS_COMPLIANCE_SCHEDULE', { AKS_COMPLIANCE_SCHEDULE: '*/0 0 2 * * *' }, /invalid step/],
    ['AKS_COMPLIANCE_SCHEDULE', { AKS_COMPLIANCE_SCHEDULE: '%OTHER%' }, /not a reference/],
    [
      'AKS_COMPLIANCE_MAIL_TO',
      { AKS_COMPLIANCE_MAIL_TO: 'ops@contoso.com,nobody' },
      /"nobody" is not an email address/,
    ],
    ['AKS_COMPLIANCE_MAIL_SENDER', { AKS_COMPLIANCE_MAIL_SENDER: 'mailbox' }, /AKS_COMPLIANCE_MAIL_SENDER must be/],
    [
      'AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS',
      { AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS: 'contoso.com,@evil.example' },
      /"@evil.example" is not a domain name/,
    ],
    [
      'AKS_COMPLIANCE_NOTIFY_URL',
      { AKS_COMPLIANCE_NOTIFY_URL: '/api/notify' },
      /AKS_COMPLIANCE_NOTIFY_URL is not a valid URL/,
    ],
    [
      'AKS_COMPLIANCE_NOTIFY_URL',
      { AKS_COMPLIANCE_NOTIFY_URL: 'http://notifier.example.com/api/notify' },
      /AKS_COMPLIANCE_NOTIFY_URL must be an https URL \(plain http only to this machine/,
    ],
    [
      'AKS_COMPLIANCE_TEAMS_WEBHOOK_URL',
      { AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: '@Microsoft.KeyVault(SecretUri=https://v/s)' },
      /unresolved Key Vault reference/,
    ],
    ['AKS_COMPLIANCE_REPORT_URL', { AKS_COMPLIANCE_REPORT_URL: 'javascript:alert(1)' }, /must be an http\(s\) URL/],
    ['AZURE_CLIENT_ID', { AZURE_CLIENT_ID: 'my-app' }, /AZURE_CLIENT_ID must be a GUID/],
    ['AZURE_CLIENT_SECRET', { AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_ID: SUB_A }, /needs all three/],
    [
      'AKS_COMPLIANCE_SUPPORT_CALENDAR',
      { AKS_COMPLIANCE_SUPPORT_CALENDAR: '/no/such/calendar.json' },
      /file not found/,
    ],
    ['AKS_COMPLIANCE_STORAGE', { AKS_COMPLIANCE_STORAGE: 'AccountName=acct' }, /needs AccountName .* and AccountKey/],
    [
      'AzureWebJobsStorage',
      { AzureWebJobsStorage: 'garbage' },
      /AzureWebJobsStorage is neither a storage connection string/,
    ],
  ])('rejects a bad %s with a message naming it', (setting, env, message) => {
    const error = configError(env);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toMatch(message);
  });
});

describe('local.settings.sample.json', () => {
  it('loads as it ships (empty values count as unset)', () => {
    const sample = JSON.parse(readFileSync(join(__dirname, '../../local.settings.sample.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    const s = loadSettings(sample.Values);
    expect(s.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(s.armEndpoint).toBe('https://management.azure.com');
    expect(s.clientId).toBeUndefined();
  });
});

describe('checkNcrontab', () => {
  it.each(['0 0 2 * * *', '0 */5 * * * *', '30 0 9-17 * * 1-5', '0 0 0 1 Jan,Jul *', '0 0 3 * * 0,7'])(
    'accepts %s',
    (expr) => {
      expect(checkNcrontab(expr)).toBe(expr);
    },
  );
});

describe('SETTINGS (the table in docs/configuration.md)', () => {
  it('documents every setting that loadSettings reads', () => {
    const names = SETTINGS.map((s) => s.name);
    // Settings are read in loadSettings and in the files it calls (clouds, storage).
    const source = readdirSync(__dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(__dirname, f), 'utf8'))
      .join('\n');
    const read = [
      ...source.matchAll(
        /read\(env, '([A-Za-z_]+)'\)|parseInteger\(env, '([A-Z_]+)'|parseList\(\s*env,\s*'([A-Z_]+)'/g,
      ),
    ].map((m) => m[1] ?? m[2] ?? m[3]);
    for (const name of read.filter((n) => !n.includes('__'))) expect(names).toContain(name);
    for (const name of ['AzureWebJobsStorage', 'AKS_COMPLIANCE_SUPPORT_CALENDAR', 'NODE_EXTRA_CA_CERTS']) {
      expect(names).toContain(name);
    }
    for (const row of SETTINGS) expect(row.meaning.length).toBeGreaterThan(10);
  });
});

describe('isMicrosoftAuthorityHost', () => {
  it('tells Microsoft sign-in hosts from others', () => {
    expect(isMicrosoftAuthorityHost('https://login.microsoftonline.com')).toBe(true);
    expect(isMicrosoftAuthorityHost('https://login.chinacloudapi.cn/')).toBe(true);
    expect(isMicrosoftAuthorityHost('https://127.0.0.1:4443')).toBe(false);
  });
});

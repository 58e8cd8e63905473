// Reads the Bicep templates and checks what can drift from the product: settings, roles, secrets, transport.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../src/config/settings';
import { ALLOWED_AZURE_ROLES, ALLOWED_GRAPH_ROLES, API_APP_IDS, GRAPH_APP_ID } from './allowed';

const infraDir = path.resolve(__dirname, '../../infra');

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return filesUnder(full, ext);
    return full.endsWith(ext) ? [full] : [];
  });
}

const bicepFiles = filesUnder(infraDir, '.bicep');
const bicep = new Map(bicepFiles.map((f) => [path.relative(infraDir, f), readFileSync(f, 'utf8')]));
const allInfraText = [
  ...filesUnder(infraDir, '.bicep'),
  ...filesUnder(infraDir, '.json'),
  ...filesUnder(infraDir, '.sh'),
]
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function appSettingsBlock(): string {
  const text = bicep.get(path.join('app', 'function.bicep'));
  if (!text) throw new Error('infra/app/function.bicep is missing');
  const start = text.indexOf("name: 'appsettings'");
  expect(start).toBeGreaterThan(0);
  return text.slice(start, text.indexOf('\n  }\n', start));
}

describe('infra', () => {
  it('sets every app setting the configuration module reads, or lists it as optional', () => {
    const block = appSettingsBlock();
    const set = new Set([...block.matchAll(/^\s{4}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]));
    const optionalLine = /optional-settings:\s*(.+)$/m.exec(bicep.get(path.join('app', 'function.bicep')) ?? '');
    const optional = new Set((optionalLine?.[1] ?? '').split(',').map((s) => s.trim()));
    const missing = SETTINGS.map((s) => s.name).filter((name) => !set.has(name) && !optional.has(name));
    expect(missing).toEqual([]);
    // And nothing is set that the product does not read (typos drift silently otherwise).
    const known = new Set(SETTINGS.map((s) => s.name));
    const platform = /^(AzureWebJobsStorage__|APPLICATIONINSIGHTS_|languageWorkers__node__arguments$)/;
    expect([...set].filter((name) => !known.has(name) && !platform.test(name))).toEqual([]);
  });

  it("limits the Node worker's heap with the arguments the benchmark measures the product under", () => {
    const block = appSettingsBlock();
    expect(block).toMatch(/^\s{4}languageWorkers__node__arguments: nodeWorker\.languageWorkers__node__arguments$/m);
    expect(bicep.get(path.join('app', 'function.bicep'))).toMatch(
      /var nodeWorker = loadJsonContent\('node-worker\.json'\)/,
    );
    const worker = JSON.parse(readFileSync(path.join(__dirname, '../../infra/app/node-worker.json'), 'utf8'));
    expect(worker.languageWorkers__node__arguments).toMatch(/^--max-old-space-size=\d+$/);
  });

  it('names every role assignment with guid() and uses only the listed roles, each GUID commented with its name', () => {
    let assignments = 0;
    for (const [file, text] of bicep) {
      for (const m of text.matchAll(
        /resource \w+ 'Microsoft\.Authorization\/roleAssignments@[^']+' = \{\s*\n\s*name: ([^\n]+)/g,
      )) {
        assignments++;
        expect(`${file}: ${m[1]}`).toMatch(/: guid\(/);
      }
      for (const m of text.matchAll(/(?:^|\n)\/\/ ([^\n]+)\nvar \w+ = '([0-9a-f-]{36})'/g)) {
        const [, comment, guid] = m;
        const expected = ALLOWED_AZURE_ROLES[guid];
        expect({ file, guid, role: expected ?? 'not an allowed role' }).toEqual({ file, guid, role: expected });
        expect(comment.startsWith(expected)).toBe(true);
      }
      for (const m of text.matchAll(/'([0-9a-f-]{36})'(?:\s*\/\/ ([\w.]+))?/g)) {
        const [, guid, comment] = m;
        if (guid === GRAPH_APP_ID || ALLOWED_AZURE_ROLES[guid] || API_APP_IDS[guid]) continue;
        expect({ file, guid, permission: ALLOWED_GRAPH_ROLES[guid] ?? 'not an allowed permission' }).toEqual({
          file,
          guid,
          permission: ALLOWED_GRAPH_ROLES[guid],
        });
        expect(comment).toBe(ALLOWED_GRAPH_ROLES[guid]);
      }
    }
    expect(assignments).toBeGreaterThanOrEqual(4);
  });

  it('registers the API with its four app roles and v2.0 tokens, in Bicep and in the script fallback alike', () => {
    const template = bicep.get('api-app.bicep') ?? '';
    const script = readFileSync(path.join(infraDir, 'register-api-app.sh'), 'utf8');
    expect(template).toMatch(/^extension microsoftGraphV1$/m);
    expect(template).toContain('requestedAccessTokenVersion: 2');
    expect(script).toMatch(/requestedAccessTokenVersion\\?":2/);
    for (const [id, value] of Object.entries(API_APP_IDS).filter(([, v]) => v !== 'user_impersonation')) {
      expect({ value, bicep: new RegExp(`'${id}'[\\s\\S]*?|value: '${value}'`).test(template) }).toEqual({
        value,
        bicep: true,
      });
      expect({ value, script: script.includes(`{"id":"${id}","value":"${value}"`) }).toEqual({ value, script: true });
    }
    // Alerts.Send is an application role held by the scanner; the others go to groups.
    expect(template).toMatch(/appRoleId: roles\.alertsSend\s*\n\s*principalId: scannerPrincipalId/);
    expect(template).toMatch(/readersGroupId[\s\S]*operatorsGroupId[\s\S]*approversGroupId/);
  });

  it('keeps Storage Blob Data Owner on the host containers, basic publishing off, and private networking a parameter', () => {
    const storage = bicep.get(path.join('app', 'storage.bicep')) ?? '';
    for (const m of storage.matchAll(
      /resource (\w+) 'Microsoft\.Authorization\/roleAssignments@[^']+' = \{([\s\S]*?)\n\}/g,
    )) {
      if (!m[2].includes('storageBlobDataOwner')) continue;
      expect({ assignment: m[1], scope: /scope: (\w+)/.exec(m[2])?.[1] }).not.toEqual({
        assignment: m[1],
        scope: 'account',
      });
    }
    const fn = bicep.get(path.join('app', 'function.bicep')) ?? '';
    for (const name of ['ftp', 'scm']) {
      expect(fn).toMatch(
        new RegExp(
          `basicPublishingCredentialsPolicies@[^']+' = \\{\\s*parent: site\\s*name: '${name}'\\s*properties: \\{ allow: false \\}`,
        ),
      );
    }
    const main = bicep.get('main.bicep') ?? '';
    expect(main).toMatch(/param publicNetworkAccess string = 'Enabled'/);
    expect(main).toMatch(/param privateEndpointSubnetId string = ''/);
    for (const file of [path.join('app', 'storage.bicep'), path.join('app', 'keyvault.bicep')]) {
      const text = bicep.get(file) ?? '';
      expect({ file, param: /publicNetworkAccess: publicNetworkAccess/.test(text) }).toEqual({ file, param: true });
      expect({ file, endpoint: /Microsoft\.Network\/privateEndpoints@/.test(text) }).toEqual({ file, endpoint: true });
    }
  });

  it('references no role outside the allowed list anywhere in infra/', () => {
    const guids = new Set([...allInfraText.matchAll(GUID)].map((m) => m[0].toLowerCase()));
    const unexpected = [...guids].filter(
      (g) => g !== GRAPH_APP_ID && !ALLOWED_AZURE_ROLES[g] && !ALLOWED_GRAPH_ROLES[g] && !API_APP_IDS[g],
    );
    expect(unexpected).toEqual([]);
  });

  it('holds no secret literal', () => {
    const secretPatterns = [
      /AccountKey=/i,
      /SharedAccessSignature=/i,
      /[?&]sig=/i,
      /InstrumentationKey=[0-9a-f]/i,
      /https:\/\/[^\s'"]*\.logic\.azure\.com/i,
      /https:\/\/[^\s'"]*webhook\.office\.com/i,
      /password\s*[:=]\s*'[^']+'/i,
    ];
    for (const pattern of secretPatterns) expect(allInfraText).not.toMatch(pattern);
    for (const [file, text] of bicep) {
      for (const m of text.matchAll(/@secure\(\)\n(?:@[^\n]+\n)*param (\w+) string(?: = (.+))?/g)) {
        const defaultValue = m[2]?.trim();
        expect({ file, param: m[1], defaultValue: defaultValue ?? "''" }).toEqual({
          file,
          param: m[1],
          defaultValue: defaultValue === 'newGuid()' ? 'newGuid()' : "''",
        });
      }
    }
  });

  it('turns off shared keys and insists on HTTPS and TLS 1.2', () => {
    const storage = bicep.get(path.join('app', 'storage.bicep')) ?? '';
    const fn = bicep.get(path.join('app', 'function.bicep')) ?? '';
    expect(storage).toMatch(/allowSharedKeyAccess: false/);
    expect(storage).toMatch(/minimumTlsVersion: 'TLS1_2'/);
    expect(storage).toMatch(/supportsHttpsTrafficOnly: true/);
    expect(fn).toMatch(/httpsOnly: true/);
    expect(fn).toMatch(/minTlsVersion: '1\.2'/);
    expect(fn).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
    expect(fn).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
    expect(allInfraText).not.toMatch(/allowSharedKeyAccess: true/);
  });

  it('reads the Teams webhook and the notifier key through Key Vault references', () => {
    const block = appSettingsBlock();
    expect(block).toMatch(/AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: .*@Microsoft\.KeyVault\(SecretUri=/);
    expect(block).toMatch(/AKS_COMPLIANCE_NOTIFY_KEY: '@Microsoft\.KeyVault\(SecretUri=/);
  });

  it('declares the function app service for azd', () => {
    const yaml = readFileSync(path.resolve(__dirname, '../../azure.yaml'), 'utf8');
    expect(yaml).toMatch(/host: function/);
    expect(yaml).toMatch(/provider: bicep/);
  });
});

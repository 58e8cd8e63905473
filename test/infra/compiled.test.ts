// The templates compiled by the real Bicep compiler (restored from NuGet where dotnet exists): what ARM would deploy
// grants only the listed roles, sets the settings the product reads, and carries no secret; and the CI check fails
// on a broken template.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SETTINGS } from '../../src/config/settings';
import { ALLOWED_AZURE_ROLES } from './allowed';
import { allResources, ArmResource, ArmTemplate, checkScript, compile, locateBicep, root } from './bicep';

const compiler = locateBicep();
const infra = path.join(root, 'infra');

function of(type: string, resources: { resource: ArmResource; template: ArmTemplate }[]) {
  return resources.filter(({ resource }) => resource.type.toLowerCase() === type.toLowerCase());
}

/** The GUID a compiled roleDefinitionId expression names, through the declaring template's variables. */
function roleGuid(expression: string, template: ArmTemplate): string {
  const variable = /variables\('(\w+)'\)/.exec(expression)?.[1];
  const text = variable ? String(template.variables?.[variable]) : expression;
  return /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(text)?.[0]?.toLowerCase() ?? expression;
}

if ('missing' in compiler) {
  describe(`compiled templates (no Bicep compiler: ${compiler.missing})`, () => {
    it('has no compiler only because dotnet is missing, and the CI check says so in one line', () => {
      expect(compiler.missing).toBe('dotnet is not on this machine');
      const run = spawnSync('bash', [checkScript], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^bicep: dotnet is not on this machine/)]);
    });
  });
} else {
  describe(`compiled templates (Bicep ${compiler.version})`, () => {
    let main: ArmTemplate;
    let resources: { resource: ArmResource; template: ArmTemplate }[];
    beforeAll(() => {
      main = compile(compiler.bicep, path.join(infra, 'main.bicep'));
      resources = [
        ...allResources(main),
        ...allResources(compile(compiler.bicep, path.join(infra, 'reader-management-group.bicep'))),
      ];
    }, 120_000);

    it('assigns exactly the listed Azure roles, each named with guid() and to the service principal', () => {
      const assignments = of('Microsoft.Authorization/roleAssignments', resources);
      const roles = assignments.map(({ resource, template }) => {
        const props = resource.properties as { roleDefinitionId: string; principalType: string };
        expect(resource.name).toMatch(/^\[guid\(/);
        expect(props.principalType).toBe('ServicePrincipal');
        return ALLOWED_AZURE_ROLES[roleGuid(props.roleDefinitionId, template)] ?? props.roleDefinitionId;
      });
      expect(roles.sort()).toEqual(
        [
          'Key Vault Secrets User',
          'Reader',
          'Reader',
          // On the three host containers, never on the account.
          'Storage Blob Data Owner',
          'Storage Blob Data Owner',
          'Storage Blob Data Owner',
          'Storage Queue Data Contributor',
          'Storage Table Data Contributor',
        ].sort(),
      );
      const blobScopes = assignments
        .filter(
          ({ resource, template }) =>
            ALLOWED_AZURE_ROLES[
              roleGuid((resource.properties as { roleDefinitionId: string }).roleDefinitionId, template)
            ] === 'Storage Blob Data Owner',
        )
        .map(({ resource }) => String(resource.scope));
      expect(blobScopes).toHaveLength(3);
      for (const scope of blobScopes) expect(scope).toMatch(/blobServices\/containers/);
    });

    it('sets every app setting the product reads (or lists it as optional), and no other', () => {
      const [config] = of('Microsoft.Web/sites/config', resources).map(({ resource }) => resource);
      expect(config.name).toMatch(/appsettings/);
      const set = Object.keys(config.properties ?? {});
      const functionBicep = readFileSync(path.join(infra, 'app', 'function.bicep'), 'utf8');
      const optional = (/optional-settings:\s*(.+)$/m.exec(functionBicep)?.[1] ?? '').split(',').map((s) => s.trim());
      const known = SETTINGS.map((s) => s.name);
      expect(known.filter((name) => !set.includes(name) && !optional.includes(name))).toEqual([]);
      expect(
        set.filter(
          (name) =>
            !known.includes(name) &&
            !/^(AzureWebJobsStorage__|APPLICATIONINSIGHTS_|languageWorkers__node__arguments$)/.test(name),
        ),
      ).toEqual([]);
      const props = config.properties as Record<string, string>;
      expect(props.AKS_COMPLIANCE_TEAMS_WEBHOOK_URL).toMatch(/@Microsoft\.KeyVault\(SecretUri=/);
      expect(props.AKS_COMPLIANCE_NOTIFY_KEY).toMatch(/@Microsoft\.KeyVault\(SecretUri=/);
      expect(props.AzureWebJobsStorage__credential).toBe('managedidentity');
    });

    it('runs the Flex Consumption app on Node 22 over HTTPS and TLS 1.2, with shared keys off', () => {
      const [plan] = of('Microsoft.Web/serverfarms', resources).map(({ resource }) => resource);
      expect(plan.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
      const [site] = of('Microsoft.Web/sites', resources).map(({ resource }) => resource);
      const props = site.properties as {
        httpsOnly: boolean;
        siteConfig: { minTlsVersion: string; ftpsState: string };
        functionAppConfig: { runtime: unknown; deployment: { storage: { authentication: { type: string } } } };
      };
      expect(props.httpsOnly).toBe(true);
      expect(props.siteConfig.minTlsVersion).toBe('1.2');
      expect(props.functionAppConfig.runtime).toEqual({ name: 'node', version: '22' });
      expect(props.functionAppConfig.deployment.storage.authentication.type).toBe('UserAssignedIdentity');
      const [account] = of('Microsoft.Storage/storageAccounts', resources).map(({ resource }) => resource);
      expect(account.properties).toMatchObject({ allowSharedKeyAccess: false, minimumTlsVersion: 'TLS1_2' });
    });

    it('carries no secret: secret parameters are securestring everywhere and no output reads one', () => {
      const text = JSON.stringify(main);
      for (const pattern of [
        /AccountKey=/i,
        /SharedAccessSignature=/i,
        /InstrumentationKey=[0-9a-f]/i,
        /logic\.azure\.com/i,
      ])
        expect(text).not.toMatch(pattern);
      const templates = [main, ...allResources(main).flatMap(({ resource }) => resource.properties?.template ?? [])];
      const secure = new Set<string>();
      for (const template of templates) {
        for (const [name, parameter] of Object.entries(template.parameters ?? {})) {
          if (/webhook|key|secret|password/i.test(name) && !/SecretUri|storeTeams/i.test(name)) {
            expect({ name, type: parameter.type }).toEqual({ name, type: 'securestring' });
          }
          if (parameter.type === 'securestring') secure.add(name);
        }
        for (const [name, output] of Object.entries(template.outputs ?? {})) {
          for (const parameter of secure) {
            expect({
              output: name,
              reads: JSON.stringify(output.value).includes(`parameters('${parameter}')`),
            }).toEqual({
              output: name,
              reads: false,
            });
          }
        }
      }
      expect([...secure].sort()).toEqual(expect.arrayContaining(['notifyFunctionKey', 'teamsWebhookUrl']));
    });
  });

  describe(`.ci/bicep/check (Bicep ${compiler.version})`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bicep-check-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const storage = readFileSync(path.join(infra, 'app', 'storage.bicep'), 'utf8');
    copyFileSync(path.join(infra, 'bicepconfig.json'), path.join(dir, 'bicepconfig.json'));
    const check = (text: string) => {
      writeFileSync(path.join(dir, 'storage.bicep'), text);
      return spawnSync('bash', [checkScript, dir], { encoding: 'utf8' });
    };

    it('passes the template as committed, printing the compiler version and 0 errors', () => {
      const run = check(storage);
      expect(run.stdout).toMatch(/^bicep: Bicep CLI version \d+\.\d+\.\d+/m);
      expect(run.stdout).toMatch(/1 templates built and linted, 0 skipped: 0 errors, 0 warnings/);
      expect(run.status).toBe(0);
    }, 120_000);

    it.each([
      [
        'an undefined name (compiler error)',
        "kind: 'StorageV2'",
        'kind: StorageV2',
        /: Error BCP057:/,
        /1 errors, 0 warnings/,
      ],
      [
        'a misspelt property (compiler warning)',
        'allowSharedKeyAccess: false',
        'allowSharedKeyAcces: false',
        /: Warning BCP089:/,
        /0 errors, 1 warnings/,
      ],
      [
        'a secret in an output (linter error)',
        'output name string = account.name',
        'output key string = account.listKeys().keys[0].value',
        /: Error outputs-should-not-contain-secrets:/,
        /1 errors, 0 warnings/,
      ],
    ])(
      'fails on a mutated copy: %s',
      (_name, from, to, diagnostic, summary) => {
        expect(storage).toContain(from);
        const run = check(storage.replace(from, to));
        expect(run.stdout).toMatch(diagnostic);
        expect(run.stdout).toMatch(summary);
        expect(run.status).toBe(1);
      },
      120_000,
    );
  });
}

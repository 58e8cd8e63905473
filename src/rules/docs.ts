// Generates docs/rules.md from the rules' own metadata, so the reference cannot drift from the code.
// `node dist/src/rules/docs.js --write` rewrites the file (`npm run docs`); without flags it prints to stdout;
// `--check` exits 1 when the file is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadSupportCalendar } from '../catalog/calendar';
import type { BestPracticeSection, ClusterRecord, KubernetesVersionWire, Rule } from '../model';
import { buildRuleContext } from './context';
import { evaluateRule } from './engine';
import { ALL_RULES } from './index';
import { resolutionSection } from './resolutionDocs';

const SECTION_NAMES: Record<BestPracticeSection, string> = {
  'identity-and-access': 'Identity and access (Entra ID, RBAC, API server)',
  'version-upgrades': 'Supported versions and upgrades',
  'node-os-patching': 'Node OS patching',
};

// A fixed example so the generated file is stable: a cluster that fails most rules, judged as of a fixed date.
const EXAMPLE_AS_OF = new Date('2026-11-27T00:00:00Z');
const EXAMPLE_CATALOG: KubernetesVersionWire[] = [
  {
    version: '1.31',
    capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
    patchVersions: { '1.31.13': {}, '1.31.14': {} },
  },
  {
    version: '1.32',
    isDefault: true,
    capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
    patchVersions: { '1.32.9': {}, '1.32.10': {} },
  },
  {
    version: '1.33',
    capabilities: { supportPlan: ['KubernetesOfficial'] },
    patchVersions: { '1.33.4': {}, '1.33.5': {} },
  },
];
const EXAMPLE_CLUSTER: ClusterRecord = {
  id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg/providers/Microsoft.ContainerService/managedClusters/my-cluster',
  name: 'my-cluster',
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'my-rg',
  location: 'westeurope',
  tags: {},
  sku: { name: 'Base', tier: 'Standard' },
  properties: {
    kubernetesVersion: '1.30.4',
    currentKubernetesVersion: '1.30.4',
    enableRBAC: false,
    aadProfile: { managed: false, clientAppID: 'client', serverAppID: 'server', enableAzureRBAC: false },
    disableLocalAccounts: false,
    apiServerAccessProfile: { authorizedIPRanges: ['0.0.0.0/0'] },
    autoUpgradeProfile: { upgradeChannel: 'none', nodeOSUpgradeChannel: 'None' },
    agentPoolProfiles: [
      {
        name: 'system',
        currentOrchestratorVersion: '1.30.4',
        nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202607.01.0',
      },
      {
        name: 'user',
        currentOrchestratorVersion: '1.29.9',
        nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202606.15.0',
      },
    ],
  },
};

// Where the shared example does not show a rule's typical fix, the rule gets its own variant of it.
const EXAMPLE_OVERRIDES: Record<string, Record<string, unknown>> = {
  aks_version_patch_current: { kubernetesVersion: '1.31.13', currentKubernetesVersion: '1.31.13' },
};

function exampleRemediation(rule: Rule): string {
  const overrides = EXAMPLE_OVERRIDES[rule.id] ?? {};
  const cluster = { ...EXAMPLE_CLUSTER, properties: { ...EXAMPLE_CLUSTER.properties, ...overrides } };
  const ctx = buildRuleContext({
    asOf: EXAMPLE_AS_OF,
    catalogs: new Map([['westeurope', { readable: true, location: 'westeurope', values: EXAMPLE_CATALOG }]]),
    calendar: loadSupportCalendar(),
  });
  return evaluateRule(rule, cluster, ctx).remediation;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/** The whole docs/rules.md text. */
export function generateRulesMarkdown(rules: readonly Rule[] = ALL_RULES): string {
  const lines: string[] = [
    '# Rule reference',
    '',
    "<!-- Generated from the rules' metadata by src/rules/docs.ts. Do not edit: run `npm run docs`. -->",
    '',
    'Every rule yields one finding per cluster per run, with a status: `pass`, `fail` (with a severity), `unknown` ' +
      '(the data could not be read: never reported as pass or fail), `not_applicable`, or `exempt` (an active ' +
      "exemption covers a fail). The severity below is the rule's highest; a finding may carry a lower one where " +
      'the rule says so. Remediation examples are for a cluster `my-cluster` in resource group `my-rg`; findings ' +
      'carry the command with the real names and, where the catalog knows one, a real target version.',
    '',
    ...resolutionSection(),
    '## Rules',
    '',
    '| Rule ID | Passes when (title) | Severity | Best practice |',
    '|---|---|---|---|',
    ...rules.map(
      (r) =>
        `| [\`${r.id}\`](#${anchor(r.id)}) | ${cell(r.title)} | ${r.severity} | ${cell(SECTION_NAMES[r.section] ?? r.section)} |`,
    ),
    '',
  ];
  for (const rule of rules) {
    const evaluation = (rule as Rule & { evaluation?: unknown }).evaluation;
    lines.push(
      `## ${rule.id}`,
      '',
      `**${rule.title}**`,
      '',
      `- Severity: ${rule.severity}`,
      `- Best practice: ${SECTION_NAMES[rule.section] ?? rule.section}`,
      '',
      rule.rationale,
      '',
      '### How it is evaluated',
      '',
      typeof evaluation === 'string' && evaluation !== '' ? evaluation : 'See the rationale above.',
      '',
      '### Remediation example',
      '',
      '```sh',
      exampleRemediation(rule),
      '```',
      '',
      '### References',
      '',
      ...rule.references.map((ref) => `- <${ref}>`),
      '',
    );
  }
  lines.push(
    '## Adding a rule',
    '',
    '1. Create `src/rules/<rule_id>.ts` exporting a `DocumentedRule` (`src/rules/common.ts`): metadata (id, title ' +
      'worded as the passing state, severity, section, rationale, evaluation, references, `remediation`) and a pure ' +
      '`evaluate(cluster, ctx)` that reads fields defensively and returns `unknown` naming the field it could not read.',
    '2. List it in `src/rules/index.ts`; the engine (`src/rules/engine.ts`) runs it on every cluster and turns an ' +
      'exception into `unknown` for that cluster only.',
    '3. Add `src/rules/<rule_id>.test.ts` with `describeRuleCases` from `src/rules/testing.ts`, starting from the ' +
      'verbatim Azure API examples: pass, each fail severity, unknown, not applicable, missing and garbage fields.',
    '4. Run `npm run docs` to regenerate this file (a test fails while it is stale).',
    '',
  );
  return lines.join('\n');
}

/** The repository root: the nearest folder above this file holding package.json (works from src/ and dist/src/). */
export function repositoryRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export function rulesDocPath(): string {
  return join(repositoryRoot(), 'docs', 'rules.md');
}

function main(argv: string[]): number {
  const text = generateRulesMarkdown();
  const path = rulesDocPath();
  if (argv.includes('--write')) {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
    return 0;
  }
  if (argv.includes('--check')) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (current !== text) {
      console.error(`${path} is stale: run \`npm run docs\``);
      return 1;
    }
    return 0;
  }
  process.stdout.write(text);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

// SARIF output: valid against the OASIS SARIF 2.1.0 schema, one result per fail, unknown and exempt fail, levels
// from severities, rules with helpUri anchors that exist in docs/rules.md, the cluster ID as the logical location.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { managedClusterExamples, kubernetesVersionsExample } from '../../sim/fleet/fixtures';
import { CliSandbox } from '../../test/cli/helpers';
import { sarifErrors } from '../../test/sarif/validate';
import type { ScanReport } from '../model';
import { ALL_RULES } from '../rules/index';
import { renderReport } from './render';
import { ruleHelpUri, RULES_DOC_URL } from './sarif';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { logicalLocations: { fullyQualifiedName: string; name: string; kind: string }[] }[];
  suppressions?: { kind: string; justification: string }[];
  properties: { status: string; severity: string; remediation: string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: { name: string; rules: { id: string; helpUri: string; defaultConfiguration: { level: string } }[] };
    };
    invocations: { executionSuccessful: boolean }[];
    results: SarifResult[];
  }[];
}

const box = new CliSandbox();
afterAll(() => box.remove());

// Every verbatim cluster example, each under its own name (they share one ID), judged with the verbatim catalog.
const clusters = managedClusterExamples().map(({ body }, i) => {
  const copy = structuredClone(body);
  copy.name = `example-${i}`;
  copy.id = String(copy.id).replace(/\/managedClusters\/[^/]+$/, `/managedClusters/example-${i}`);
  return copy;
});
const SUB = /\/subscriptions\/([^/]+)/.exec(String(clusters[0].id))![1];
box.write('clusters.json', { value: clusters });
box.write('versions.json', kubernetesVersionsExample());
box.write('exemptions.json', [
  {
    ruleId: 'aks_local_accounts_disabled',
    scope: `/subscriptions/${SUB}`,
    justification: 'break-glass accounts until the Entra ID migration (CHG-1)',
    expiresOn: '2027-06-01',
    author: 'platform@example.com',
    createdAt: '2026-11-01T00:00:00Z',
  },
]);
const common = [
  '--clusters',
  'clusters.json',
  '--versions',
  'versions.json',
  '--exemptions',
  'exemptions.json',
  '--as-of',
  '2026-11-27',
];

describe('evaluate --format sarif', () => {
  let report: ScanReport;
  let sarif: SarifLog;
  beforeAll(async () => {
    const json = await box.run('evaluate', ...common, '--format', 'json');
    expect(json.code).toBe(0);
    report = JSON.parse(json.stdout) as ScanReport;
    // The CI gate of the docs: --output aks.sarif picks the format from the extension; --fail-on high exits 1.
    const gate = await box.run('evaluate', ...common, '--output', 'aks.sarif', '--fail-on', 'high');
    expect(gate.stderr).toBe('');
    expect(gate.stdout).toMatch(/^Wrote aks\.sarif \(sarif\): /);
    expect(gate.code).toBe(1);
    sarif = JSON.parse(box.read('aks.sarif')) as SarifLog;
  });

  it('is valid SARIF 2.1.0 against the official schema', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarifErrors(sarif)).toEqual([]);
  });

  it('has one result per fail, unknown and exempt finding, on the cluster, with the level of its severity', () => {
    const expected = report.clusters.flatMap((c) =>
      c.findings
        .filter((f) => ['fail', 'unknown', 'exempt'].includes(f.status))
        .map((f) => ({
          ruleId: f.ruleId,
          cluster: c.id,
          status: f.status,
          level:
            f.status === 'unknown'
              ? 'note'
              : { critical: 'error', high: 'error', medium: 'warning', low: 'note' }[f.severity],
        })),
    );
    const [run] = sarif.runs;
    const got = run.results.map((r) => ({
      ruleId: r.ruleId,
      cluster: r.locations[0].logicalLocations[0].fullyQualifiedName,
      status: r.properties.status,
      level: r.level,
    }));
    expect(got).toEqual(expected);
    // The fixtures cover every kind of result and level.
    expect(new Set(got.map((r) => `${r.status}:${r.level}`))).toEqual(
      new Set([
        'fail:error',
        'fail:warning',
        'unknown:note',
        'exempt:error',
        ...(got.some((r) => r.status === 'fail' && r.level === 'note') ? ['fail:note'] : []),
      ]),
    );
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('puts the remediation in the message, the reason of an unknown, and the justification of an exemption', () => {
    const results = sarif.runs[0].results;
    const fail = results.find((r) => r.properties.status === 'fail')!;
    expect(fail.message.text).toContain(`Remediation: ${fail.properties.remediation}`);
    expect(fail.properties.remediation).toMatch(/^az /);
    const unknown = results.find((r) => r.properties.status === 'unknown')!;
    const finding = report.clusters
      .flatMap((c) => c.findings.map((f) => ({ c, f })))
      .find(
        ({ c, f }) =>
          f.status === 'unknown' &&
          f.ruleId === unknown.ruleId &&
          c.id === unknown.locations[0].logicalLocations[0].fullyQualifiedName,
      )!;
    expect(unknown.message.text).toContain(finding.f.message);
    const exempt = results.filter((r) => r.properties.status === 'exempt');
    expect(exempt.length).toBe(clusters.length);
    for (const r of exempt) expect(r.suppressions).toEqual([expect.objectContaining({ kind: 'external' })]);
  });

  it('describes every rule, each with a helpUri to its own section of docs/rules.md', () => {
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(ALL_RULES.map((r) => r.id));
    const doc = readFileSync(path.resolve(__dirname, '../../docs/rules.md'), 'utf8');
    for (const rule of rules) {
      expect(rule.helpUri).toBe(ruleHelpUri(rule.id));
      expect(rule.helpUri.startsWith(`${RULES_DOC_URL}#`)).toBe(true);
      // GitHub's heading anchor: lower case, punctuation other than - and _ dropped.
      expect(doc).toContain(`\n## ${rule.helpUri.split('#')[1]}\n`);
    }
  });

  it('marks an incomplete inventory as an unsuccessful run, and the schema check does catch a broken log', () => {
    const partial = renderReport(
      {
        ...report,
        complete: false,
        problems: [{ source: 'resourceGraph', scope: '/subscriptions/x', message: 'AccessDenied' }],
      },
      'sarif',
    );
    const log = JSON.parse(partial) as SarifLog;
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(sarifErrors(log)).toEqual([]);
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = 'fatal';
    expect(sarifErrors(broken).join('\n')).toMatch(/level/);
  });
});

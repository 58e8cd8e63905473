// The README is what a newcomer trusts: its settings, commands and scripts must exist and behave as described.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../src/config/settings';
import { USAGE } from '../src/cli/main';

const root = path.resolve(__dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .slice(1)
    .map((line) =>
      line
        .slice(2, -2)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('README', () => {
  it('configuration table lists exactly the settings the configuration module reads, with their defaults', () => {
    const rows = tableRows(section('Configuration'));
    const documented = rows.map(([name, meaning, defaultValue]) => ({
      name: name.replace(/`/g, ''),
      meaning,
      default: defaultValue ?? '',
    }));
    expect(documented).toEqual(SETTINGS.map((s) => ({ name: s.name, meaning: s.meaning, default: s.default })));
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const script of new Set(named)) expect(Object.keys(pkg.scripts)).toContain(script);
    expect(pkg.scripts.test).toBeDefined();
  });

  it('names only CLI commands that exist', () => {
    // Invocations: at the start of a line (code blocks) or of inline code.
    const named = [...readme.matchAll(/(?:^|`)aks-compliance ([a-z]+)\b/gm)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(3);
    const known = [...USAGE.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(known).toEqual(expect.arrayContaining(['scan', 'evaluate', 'report', 'demo']));
    for (const command of new Set(named)) expect(known).toContain(command);
  });

  it('names only settings the product reads when it shows `azd env set`', () => {
    const names = new Set(SETTINGS.map((s) => s.name));
    const deployOnly = new Set(['AZURE_LOCATION', 'AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS']);
    for (const m of readme.matchAll(/azd env set ([A-Z_]+)/g)) {
      expect(names.has(m[1]) || deployOnly.has(m[1])).toBe(true);
    }
  });
});

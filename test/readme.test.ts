// The README and the reference pages in docs/ are what a newcomer trusts: the settings, commands, scripts and links
// they name must exist and behave as described.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../src/config/settings';
import { USAGE } from '../src/cli/main';

const root = path.resolve(__dirname, '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
const readme = read('README.md');
const docPages = readdirSync(path.join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
/** Every page a reader is sent to: the README and the reference in docs/. */
const pages = ['README.md', ...docPages].map((file) => ({ file, text: read(file) }));
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** The rows of the markdown table whose header line is `header`, header excluded. */
function tableRows(text: string, header: string): string[][] {
  const start = text.indexOf(`\n${header}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start + 1).split('\n');
  const end = lines.findIndex((line) => !line.startsWith('|'));
  return lines.slice(2, end < 0 ? undefined : end).map((line) =>
    line
      .slice(2, -2)
      .split(' | ')
      .map((cell) => cell.trim()),
  );
}

describe('README and docs/', () => {
  it('configuration table (docs/configuration.md) lists exactly the settings the configuration module reads, with their defaults', () => {
    const rows = tableRows(read('docs/configuration.md'), '| name | meaning | default |');
    const documented = rows.map(([name, meaning, defaultValue]) => ({
      name: name.replace(/`/g, ''),
      meaning,
      default: defaultValue ?? '',
    }));
    expect(documented).toEqual(SETTINGS.map((s) => ({ name: s.name, meaning: s.meaning, default: s.default })));
  });

  it('name only npm scripts that exist', () => {
    const named = pages.flatMap(({ text }) => [...text.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]));
    expect(named.length).toBeGreaterThan(0);
    for (const script of new Set(named)) expect(Object.keys(pkg.scripts)).toContain(script);
    expect(pkg.scripts.test).toBeDefined();
  });

  it('name only CLI commands that exist', () => {
    // Invocations: at the start of a line (code blocks) or of inline code.
    const named = pages.flatMap(({ text }) =>
      [...text.matchAll(/(?:^|`)aks-compliance ([a-z]+)\b/gm)].map((m) => m[1]),
    );
    expect(named.length).toBeGreaterThan(3);
    const known = [...USAGE.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(known).toEqual(expect.arrayContaining(['scan', 'evaluate', 'report', 'demo']));
    for (const command of new Set(named)) expect(known).toContain(command);
  });

  it('name only settings the product reads when they show `azd env set`', () => {
    const names = new Set(SETTINGS.map((s) => s.name));
    const deployOnly = new Set(['AZURE_LOCATION', 'AKS_COMPLIANCE_GRANT_GRAPH_PERMISSIONS']);
    const shown = pages.flatMap(({ text }) => [...text.matchAll(/azd env set ([A-Z_]+)/g)].map((m) => m[1]));
    expect(shown.length).toBeGreaterThan(0);
    for (const name of shown)
      expect({ name, known: names.has(name) || deployOnly.has(name) }).toEqual({ name, known: true });
  });

  it('link only to files that exist', () => {
    let links = 0;
    for (const { file, text } of pages) {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z]+:/i.test(target)) continue;
        links += 1;
        const resolved = path.join(root, path.dirname(file), target);
        expect({ file, target, exists: existsSync(resolved) }).toEqual({ file, target, exists: true });
      }
    }
    expect(links).toBeGreaterThan(10);
  });
});

describe('README', () => {
  it('stays a page for newcomers: the two commands first, the reference linked, not copied', () => {
    expect(readme.length).toBeLessThan(12_500);
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci$/m);
    expect(firstBlock).toMatch(/^npm run demo\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
    for (const page of ['cli', 'http-api', 'configuration', 'permissions', 'decisions', 'rules']) {
      expect(readme).toContain(`](docs/${page}.md)`);
    }
    // The configuration table lives in docs/configuration.md only, so it cannot drift in two places.
    expect(readme).not.toContain('| name | meaning | default |');
  });
});

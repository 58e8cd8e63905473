// Started directly with a Node older than the package's engines field, the command says in one line which Node it
// needs and how to get it, and exits 2 (an older Node otherwise fails later with errors that do not say why).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin', 'aks-compliance.js');
const required = /\d+/.exec(
  (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node,
)![0];

const dir = mkdtempSync(path.join(tmpdir(), 'node-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command on this Node, reporting itself as `version` (process.versions.node), as an older Node would. */
function runAs(version: string, ...args: string[]) {
  const preload = path.join(dir, `as-${version}.js`);
  writeFileSync(
    preload,
    `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n` +
      `Object.defineProperty(process, 'version', { value: ${JSON.stringify(`v${version}`)} });\n`,
  );
  return spawnSync(process.execPath, ['--require', preload, bin, ...args], { encoding: 'utf8', cwd: dir });
}

describe('bin/aks-compliance.js on an older Node', () => {
  it.each(['20.20.2', '18.20.8', `${Number(required) - 1}.9.9`])(
    'Node %s: one line naming the Node it needs, exit 2',
    (version) => {
      const run = runAs(version, 'demo', '--once');
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`needs Node.js ${required} or later, not v${version}`);
      expect(lines[0]).toMatch(/npm ci/);
      expect(lines[0]).toMatch(/nvm install \d+/);
    },
  );

  it(`Node ${required} (the required major) passes the check and starts the command`, () => {
    const run = runAs(`${required}.0.0`, '--version');
    expect(run.stderr).not.toMatch(/needs Node\.js/);
    // Past the check the command starts: it prints its version, or (in a clone not yet built) says to build first.
    expect(`${run.status} ${run.stdout}${run.stderr}`).toMatch(
      /^(0 aks-compliance \d+\.\d+\.\d+|2 aks-compliance: not built yet)/,
    );
  });
});

import { main } from '../../src/cli/main';
import { CliSandbox, oneErrorLine } from './helpers';

let box: CliSandbox;
beforeEach(() => (box = new CliSandbox()));
afterEach(() => box.remove());

describe('aks-compliance', () => {
  test('--help and help print the usage, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const run = await box.run(...argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: aks-compliance <command>/);
      expect(run.stdout).toContain('evaluate');
    }
    const sub = await box.run('help', 'evaluate');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--clusters FILE');
    const flag = await box.run('scan', '--help');
    expect(flag.code).toBe(0);
    expect(flag.stdout).toContain('--no-store');
  });

  test('--version prints the package version', async () => {
    const run = await box.run('--version');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^aks-compliance \d+\.\d+\.\d+\n$/);
  });

  test.each([
    [[], /a command is required/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--verbose'], /unknown option --verbose/],
  ])('%j: one line, exit 2', async (argv, expected) => {
    const run = await box.run(...argv);
    expect(run.code).toBe(2);
    expect(oneErrorLine(run)).toMatch(expected);
  });

  test('scan: bad flags and settings give one line, exit 2, before any call', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['scan', '--format', 'yaml'], {}, /--format "yaml"/],
      [['scan', '--subscription', 'prod'], {}, /--subscription "prod" is not a subscription ID/],
      [['scan', '--fail-on', 'severe'], {}, /--fail-on "severe"/],
      [['scan', '--output', 'a', '--output', 'b'], {}, /--output is given more than once/],
      [['scan', '--no-store'], { AZURE_CLOUD: 'Mars' }, /AZURE_CLOUD/],
      [['scan', '--no-store', '--management-group', 'a/b'], {}, /--management-group "a\/b" is not/],
    ];
    for (const [argv, env, expected] of cases) {
      box.env = env;
      const run = await box.run(...argv);
      expect([argv, run.code]).toEqual([argv, 2]);
      expect(oneErrorLine(run)).toMatch(expected);
    }
  });
});

describe('unexpected errors', () => {
  async function failingStdout(env: NodeJS.ProcessEnv) {
    const err: string[] = [];
    const code = await main(['--version'], {
      stdout: () => {
        throw new TypeError('stdout is gone');
      },
      stderr: (t) => err.push(t),
      env,
      isTTY: false,
      cwd: process.cwd(),
    });
    return { code, stderr: err.join('') };
  }

  test('one line, exit 2, no stack trace', async () => {
    const run = await failingStdout({});
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'aks-compliance: unexpected error: stdout is gone (set AKS_COMPLIANCE_DEBUG=1 for details)\n',
    );
  });

  test('AKS_COMPLIANCE_DEBUG=1 adds the stack', async () => {
    const run = await failingStdout({ AKS_COMPLIANCE_DEBUG: '1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\n\s+at /);
  });
});

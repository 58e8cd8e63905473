// The aks-compliance command: `scan`, `evaluate`, `report`, `demo`. Exit codes: 0 done, 1 findings at or above
// --fail-on, 2 bad usage or input (one line on stderr naming the flag or file, never a stack trace).
import { packageVersion } from '../version';
import { processIO, type CliIO, type CommandRunner } from './io';

export { packageVersion };

export const USAGE = `Usage: aks-compliance <command> [options]

Compliance scans of AKS clusters: Entra ID and RBAC, supported Kubernetes versions, node OS patching.

Commands:
  scan       scan the fleet live with the configured credential
  evaluate   evaluate exported files offline (no Azure access)
  report     print a stored report
  demo       run the whole pipeline locally against a simulated Azure

Options:
  --help, -h       show this help (aks-compliance <command> --help for a command's options)
  --version, -V    show the version

Exit codes: 0 done; 1 a fail at or above --fail-on remains; 2 bad usage or bad input.
`;

/** Loaded on use: `evaluate` never loads the Azure SDKs, and a command's dependencies stay out of the others. */
const COMMANDS: Record<string, () => Promise<{ run: CommandRunner }>> = {
  scan: () => import('./commands/scan'),
  evaluate: () => import('./commands/evaluate'),
  report: () => import('./commands/report'),
  demo: () => import('./commands/demo'),
};

/** Errors that describe bad usage, input or configuration: their message is the whole story. */
const EXPECTED_ERRORS = new Set([
  'UsageError',
  'InputError',
  'ConfigError',
  'FilterError',
  'SupportCalendarError',
  'AccessExportError',
  'ExemptionError',
  'ScanOptionError',
]);

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr(`aks-compliance: a command is required (${Object.keys(COMMANDS).join(', ')}; see --help)\n`);
      return 2;
    }
    if (command === '--help' || command === '-h') {
      io.stdout(USAGE);
      return 0;
    }
    if (command === '--version' || command === '-V') {
      io.stdout(`aks-compliance ${packageVersion()}\n`);
      return 0;
    }
    if (command === 'help') {
      const topic = rest[0];
      if (topic !== undefined && Object.hasOwn(COMMANDS, topic))
        return await (await COMMANDS[topic]()).run(['--help'], io);
      io.stdout(USAGE);
      return topic === undefined ? 0 : 2;
    }
    if (!Object.hasOwn(COMMANDS, command)) {
      const what = command.startsWith('-') ? `unknown option ${command}` : `unknown command ${JSON.stringify(command)}`;
      io.stderr(`aks-compliance: ${oneLine(what)} (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)\n`);
      return 2;
    }
    const module = await COMMANDS[command]();
    return await module.run(rest, io);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (EXPECTED_ERRORS.has(e.name)) {
      io.stderr(`aks-compliance: ${oneLine(e.message)}\n`);
    } else {
      io.stderr(
        `aks-compliance: unexpected error: ${oneLine(e.message) || e.name} (set AKS_COMPLIANCE_DEBUG=1 for details)\n`,
      );
      if (io.env.AKS_COMPLIANCE_DEBUG === '1') io.stderr(`${e.stack ?? ''}\n`);
    }
    return 2;
  }
}

// `aks-compliance demo`: the whole pipeline on this machine, no Azure account (see src/demo/run.ts).
import { relative, resolve } from 'node:path';
import { DEFAULT_DEMO_PORT, servingMessage, startDemo } from '../../demo/run';
import { parseFlags } from '../args';
import { UsageError, type CommandRunner } from '../io';

export const DEMO_USAGE = `Usage: aks-compliance demo [--once] [--port N] [--output-dir DIR]

Runs the product end to end against a local stand-in for Azure: Azurite (Table Storage, in memory) and the local
Azure simulator with a sample fleet of about 60 clusters. The nightly scan handler scans the fleet, stores the run
and sends alerts through the notifier to the simulator's Teams webhook and mailbox. Then it prints a summary, writes
report.html, the Teams card, the emails and a bearer token of a demo user (demo-token), and serves the HTTP
functions on http://localhost:PORT/api/... until Ctrl+C (send the token: -H "Authorization: Bearer $(cat
demo-output/demo-token)").

  --once              scan, write the files and exit (no server left running)
  --port N            port of the local HTTP server (default ${DEFAULT_DEMO_PORT}; 0 = any free port)
  --output-dir DIR    where the files go (default demo-output)
`;

const OPTIONS = {
  once: { type: 'boolean' },
  port: { type: 'string' },
  'output-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DEMO_PORT;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `demo: --port ${JSON.stringify(value.slice(0, 50))} is not a port (0..65535; 0 = any free port)`,
    );
  }
  return port;
}

export const run: CommandRunner = async (args, io) => {
  const flags = parseFlags('demo', args, OPTIONS);
  if (flags.help) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  const port = parsePort(flags.port);
  const outputDir = flags['output-dir'] ?? 'demo-output';
  if (outputDir.trim() === '') throw new UsageError('demo: --output-dir needs a folder');
  const demo = await startDemo({
    port,
    outputDir: resolve(io.cwd, outputDir),
    out: (text) => io.stdout(text),
    log: (line) => io.stderr(`  ${line}\n`),
  });
  if (flags.once) {
    await demo.stop();
    return 0;
  }
  io.stdout(servingMessage(demo.url, relative(io.cwd, demo.tokenFile) || demo.tokenFile));
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      io.stdout('\ndemo: stopping Azurite, the simulator and the server\n');
      void demo.stop().then(resolve, resolve);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  return 0;
};

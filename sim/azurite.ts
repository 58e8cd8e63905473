// Azurite (Table Storage emulator) for the demo, the benchmark and the tests: spawned from node_modules on 127.0.0.1
// and a free port, stoppable and restartable on the same port (with `persistent`, data survives a restart), killed
// when the process exits. Local dev tooling like the simulator beside it; never part of the function package.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AzuriteOptions {
  /** Keep data on disk (a temp folder) so it survives stop()/start(). Default: in memory. */
  persistent?: boolean;
  /** Also start the queue service. */
  queues?: boolean;
}

export interface Azurite {
  /** Explicit http connection string (clients need `allowInsecureConnection`; createAzureClients sets it). */
  connectionString: string;
  /** Table service port. */
  port: number;
  queuePort?: number;
  tableEndpoint: string;
  running(): boolean;
  /** Stops the emulator (start() reuses its port); `abrupt` kills it like a crash instead of a clean shutdown. */
  stop(options?: { abrupt?: boolean }): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and deletes its data folder. */
  dispose(): Promise<void>;
}

// The well-known development account of every Azure storage emulator (public, not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Service {
  kind: 'table' | 'queue';
  port: number;
  child?: ChildProcess;
}

async function spawnService(service: Service, dir: string, persistent: boolean): Promise<void> {
  const script = require.resolve(`azurite/dist/src/${service.kind}/main.js`);
  const args = [
    script,
    `--${service.kind}Host`,
    '127.0.0.1',
    `--${service.kind}Port`,
    String(service.port),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
  ];
  args.push(...(persistent ? ['--location', dir] : ['--inMemoryPersistence']));
  // Idle keep-alive connections closed by the server race the SDK reusing them: keep them open longer.
  if (service.kind === 'table') args.push('--tableKeepAliveTimeout', '60');
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  service.child = child;
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  child.once('exit', () => {
    exited = true;
    live.delete(child);
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`azurite-${service.kind} exited on port ${service.port}: ${output.trim().slice(-500)}`);
    if (/successfully (started|listen)/i.test(output) && (await canConnect(service.port))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(
    `azurite-${service.kind} did not listen on port ${service.port} within 20 s: ${output.trim().slice(-500)}`,
  );
}

async function stopService(service: Service, abrupt = false): Promise<void> {
  const child = service.child;
  service.child = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // SIGINT lets Azurite close cleanly and save its data; SIGKILL is a crash (nothing unsaved survives).
    child.kill(abrupt ? 'SIGKILL' : 'SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
  // Wait until the port is released so start() can bind it again.
  for (let i = 0; i < 100 && (await canConnect(service.port)); i++) await new Promise((r) => setTimeout(r, 50));
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const persistent = options.persistent ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'aks-compliance-azurite-'));
  const kinds = options.queues ? (['table', 'queue'] as const) : (['table'] as const);
  // Both services load in parallel (Azurite takes seconds to load). A free port can be taken between the probe and
  // the spawn: retry with another one.
  const started = await Promise.allSettled(
    kinds.map(async (kind) => {
      let lastError: unknown;
      for (let attempt = 0; attempt < 5; attempt++) {
        const service: Service = { kind, port: await freePort() };
        try {
          await spawnService(service, dir, persistent);
          return service;
        } catch (error) {
          lastError = error;
          await stopService(service, true);
        }
      }
      throw lastError;
    }),
  );
  const services = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(services.map((s) => stopService(s, true)));
    rmSync(dir, { recursive: true, force: true });
    throw failed.reason;
  }
  const table = services[0];
  const queue = services[1];
  const tableEndpoint = `http://127.0.0.1:${table.port}/${ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=${tableEndpoint};` +
    (queue ? `QueueEndpoint=http://127.0.0.1:${queue.port}/${ACCOUNT};` : '');
  return {
    connectionString,
    port: table.port,
    queuePort: queue?.port,
    tableEndpoint,
    running: () => services.every((s) => s.child !== undefined && s.child.exitCode === null),
    stop: async (stopOptions) => {
      await Promise.all(services.map((s) => stopService(s, stopOptions?.abrupt)));
    },
    start: async () => {
      await Promise.all(services.filter((s) => !s.child).map((s) => spawnService(s, dir, persistent)));
    },
    dispose: async () => {
      await Promise.all(services.map((s) => stopService(s)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

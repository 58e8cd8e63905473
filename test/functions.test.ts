// The Functions app as the host loads it: every file in src/functions (the package's `main` glob), what each one
// registers, with which options, on which routes. The options are the exported objects the files register.
import { matchesGlob, join, relative } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import type { HttpFunctionOptions, StorageQueueFunctionOptions, TimerFunctionOptions } from '@azure/functions';
import { matchRoute, ROUTES, type Route } from '../src/http/routes';

const ROOT = join(__dirname, '..');
const FUNCTIONS_DIR = join(ROOT, 'src', 'functions');
const FUNCTION_FILES = readdirSync(FUNCTIONS_DIR)
  .filter((f) => f.endsWith('.ts'))
  .sort();

/** The contract's HTTP surface (paths under /api). */
const CONTRACT_ROUTES: [string, string[]][] = [
  ['reports/latest', ['GET']],
  ['reports/{runId}', ['GET']],
  ['reports/{runId}/summary', ['GET']],
  ['clusters/{subscriptionId}/{resourceGroup}/{name}', ['GET']],
  ['scans', ['POST']],
  ['exemptions', ['GET', 'POST', 'DELETE']],
  ['exemptions/{id}/history', ['GET']],
  ['notify', ['POST']],
];

type Options = (HttpFunctionOptions | TimerFunctionOptions | StorageQueueFunctionOptions) & { handler: unknown };

function isOptions(value: unknown): value is Options {
  return typeof value === 'object' && value !== null && typeof (value as { handler?: unknown }).handler === 'function';
}

function isTimer(options: Options): options is TimerFunctionOptions & { handler: unknown } {
  return 'schedule' in options;
}

function isQueue(options: Options): options is StorageQueueFunctionOptions & { handler: unknown } {
  return 'queueName' in options;
}

/** The option objects a module exports: directly, or as a map of function name to options. */
function exportedOptions(module: Record<string, unknown>): Options[] {
  const found: Options[] = [];
  for (const value of Object.values(module)) {
    if (isOptions(value)) found.push(value);
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inner = Object.values(value);
      if (inner.length > 0 && inner.every(isOptions)) found.push(...inner);
    }
  }
  return found;
}

interface LoadedFile {
  file: string;
  options: Options[];
  /** Function names the file registered when loaded (from the library's report of each registration). */
  registered: string[];
}

/**
 * Loads one function file in a fresh module registry, as the host would. Outside the host the Functions library
 * cannot register, and says for each function that it skipped it: that line is how the registrations are seen
 * without replacing any part of the library.
 */
function load(file: string): LoadedFile {
  const warnings: string[] = [];
  const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  });
  let module: Record<string, unknown> = {};
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      module = require(join(FUNCTIONS_DIR, file)) as Record<string, unknown>;
    });
  } finally {
    warn.mockRestore();
  }
  const registered = warnings.flatMap((w) => {
    const m = /register function "([^"]+)"/.exec(w);
    return m ? [m[1]] : [];
  });
  return { file, options: exportedOptions(module), registered };
}

let loaded: LoadedFile[];
let httpOptions: (HttpFunctionOptions & { handler: unknown })[];

beforeAll(() => {
  loaded = FUNCTION_FILES.map(load);
  httpOptions = loaded.flatMap((l) => l.options.filter((o) => !isTimer(o) && !isQueue(o))) as typeof httpOptions;
});

describe('function files (src/functions)', () => {
  it('are the ones expected, with no test or helper files among them (the host loads every one)', () => {
    expect(FUNCTION_FILES).toEqual(['alertDelivery.ts', 'http.ts', 'nightlyScan.ts', 'notify.ts', 'scanQueue.ts']);
    for (const { file, options, registered } of loaded) {
      expect([file, options.length > 0]).toEqual([file, true]);
      // One exported options object per registered function.
      expect([file, registered.length]).toEqual([file, options.length]);
    }
  });

  it('register only through exported options objects, never an inline literal', () => {
    for (const file of FUNCTION_FILES) {
      const source = readFileSync(join(FUNCTIONS_DIR, file), 'utf8');
      const calls = [...source.matchAll(/\bapp\.(\w+)\(/g)].map((m) => m[1]);
      expect([file, calls.every((c) => c === 'http' || c === 'timer' || c === 'storageQueue')]).toEqual([file, true]);
      expect([file, /\bapp\.\w+\([^)]*,\s*\{/.test(source)]).toEqual([file, false]);
    }
  });

  it('declare every HTTP function anonymous for the host: the handler checks the bearer token (a key grants nothing)', () => {
    expect(httpOptions.length).toBeGreaterThan(0);
    for (const options of httpOptions) {
      expect([options.route, options.authLevel]).toEqual([options.route, 'anonymous']);
    }
    // Every handler file checks a token and an app role (src/http/auth.ts) before anything else.
    for (const file of ['reports.ts', 'clusters.ts', 'exemptions.ts', 'scans.ts', 'notify.ts']) {
      const source = readFileSync(join(ROOT, 'src', 'http', file), 'utf8');
      expect([file, /\b(requireRole|authenticate)\(request/.test(source)]).toEqual([file, true]);
    }
  });

  it('run the nightly timer on %AKS_COMPLIANCE_SCHEDULE%, never on start-up', () => {
    const timers = loaded.flatMap((l) => l.options.filter(isTimer));
    expect(timers).toHaveLength(1);
    expect(timers[0].schedule).toBe('%AKS_COMPLIANCE_SCHEDULE%');
    expect(timers[0].runOnStartup ?? false).toBe(false);
    // A failed night is retried with exponential back-off (the same occurrence, so the same run ID).
    expect(timers[0].retry).toEqual({
      strategy: 'exponentialBackoff',
      maxRetryCount: 4,
      minimumInterval: { minutes: 1 },
      maximumInterval: { minutes: 15 },
    });
  });
});

describe('HTTP routes', () => {
  it('registers every route of ROUTES under its name, with its methods and path', () => {
    const registered = new Set(loaded.flatMap((l) => l.registered));
    expect([...registered].sort()).toEqual(
      [...ROUTES.map((r) => r.name), 'nightlyScan', 'scanQueue', 'alertDelivery'].sort(),
    );
    // The on-demand scan worker: a Storage Queue trigger on the queue POST /api/scans writes to.
    const queue = loaded.flatMap((l) => l.options.filter(isQueue)) as unknown as {
      queueName: string;
      connection: string;
    }[];
    expect(queue.map((q) => [q.queueName, q.connection]).sort()).toEqual([
      ['aks-compliance-scans', 'AzureWebJobsStorage'],
      ['alert-deliveries', 'AzureWebJobsStorage'],
    ]);
    for (const route of ROUTES) {
      const options = httpOptions.filter((o) => o.route === route.route);
      expect([route.route, options.length]).toEqual([route.route, 1]);
      expect([route.route, [...(options[0].methods ?? [])].sort()]).toEqual([route.route, [...route.methods].sort()]);
    }
    expect(httpOptions).toHaveLength(ROUTES.length);
  });

  it("serves the contract's paths and methods, and nothing else", () => {
    const registeredRoutes: Route[] = httpOptions.map((o) => ({
      name: o.route ?? '',
      methods: o.methods ?? [],
      route: o.route ?? '',
      handler: o.handler as Route['handler'],
    }));
    for (const [path, methods] of CONTRACT_ROUTES) {
      const match = matchRoute(registeredRoutes, path);
      expect([path, match !== undefined]).toEqual([path, true]);
      expect([path, [...match!.route.methods].sort()]).toEqual([path, [...methods].sort()]);
    }
    expect(matchRoute(registeredRoutes, 'reports/latest')?.params).toEqual({ runId: 'latest' });
    const templates = new Set(CONTRACT_ROUTES.map(([path]) => path));
    for (const route of registeredRoutes)
      expect([route.route, templates.has(route.route)]).toEqual([route.route, true]);
  });
});

describe('package.json main', () => {
  it('matches the compiled function files and only them', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    const { outDir, rootDir } = tsconfig.compilerOptions;
    const compiled = (file: string): string =>
      join(outDir, relative(join(ROOT, rootDir), join(FUNCTIONS_DIR, file))).replace(/\.ts$/, '.js');
    for (const file of FUNCTION_FILES) {
      expect([compiled(file), matchesGlob(compiled(file), pkg.main)]).toEqual([compiled(file), true]);
    }
    // Compiled product and test files elsewhere are not taken for functions.
    for (const other of ['dist/src/http/routes.js', 'dist/src/scan/job.js', 'dist/test/functions.test.js']) {
      expect([other, matchesGlob(other, pkg.main)]).toEqual([other, false]);
    }
  });
});

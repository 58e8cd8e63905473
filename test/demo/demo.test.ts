// The demo end to end: `aks-compliance demo --once` scans the sample fleet through the nightly timer handler, the
// store and the notifier, prints the summary and writes the report, the Teams card and the emails; the serving demo
// answers the product's routes over real HTTP with a schema-valid report and shows the incremental second scan.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { startDemo, type DemoResult } from '../../src/demo/run';
import type { ScanReport } from '../../src/model';
import { jsonForScript } from '../../src/report/html';
import { validateReport } from '../../src/report/schema';
import {
  DELEGATED_CLUSTER_NAME,
  FABRIKAM_TENANT_ID,
  HOSTILE_NAME,
  READER_LOSS_SUBSCRIPTION,
  sampleFleet,
} from '../../sim/fleet/sample';
import { cardTexts, hasBackslashEscape, textRuns } from '../alerts/cardValidation';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aks-compliance-demo-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    isTTY: false,
    cwd: tempDir(),
  };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('loading the CLI and the demo registers no function, so the Functions library prints no "test mode" warning', async () => {
  // A fresh module registry, so that @azure/functions and everything the demo imports load again under the spy.
  const warnings: string[] = [];
  const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  });
  try {
    await jest.isolateModulesAsync(async () => {
      await import('../../src/cli/main');
      await import('../../src/demo/run');
    });
  } finally {
    warn.mockRestore();
  }
  expect(warnings).toEqual([]);
  // The same spy does see a registration outside the host: the check can fail.
  const seen: string[] = [];
  const spy = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
  });
  try {
    await jest.isolateModulesAsync(async () => {
      await import('../../src/functions/nightlyScan');
    });
  } finally {
    spy.mockRestore();
  }
  expect(seen.join('\n')).toMatch(/test mode/);
});

test('demo --once scans the sample fleet through the timer handler, store and notifier, and writes the files', async () => {
  const dir = tempDir();
  // What an earlier demo run left is replaced; anything else in the folder is kept.
  writeFileSync(join(dir, 'email-99-old-owner.html'), 'old');
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  const started = Date.now();
  const run = await cli('demo', '--once', '--port', '0', '--output-dir', dir);
  const elapsed = Date.now() - started;
  expect(run.stderr).not.toMatch(/aks-compliance: /);
  expect(run.code).toBe(0);
  // Its duration is printed, not asserted: speed targets live in `npm run bench`.
  process.stdout.write(`demo --once: ${elapsed} ms\n`);

  // The summary table of the stored run.
  const { fleet } = sampleFleet();
  expect(run.stdout).toMatch(new RegExp(`Clusters ${fleet.clusters.length}  pass \\d+  fail \\d+`));
  expect(run.stdout).toContain('Inventory complete');
  expect(run.stdout).toMatch(
    /demo: scan \S+-timer \(timer\) completed .*: the store wrote \d+ latest-status, \d+ change and \d+ history rows/,
  );
  // The store and the notifier ran: the timer's run was recorded and alerts were posted through /api/notify.
  expect(run.stderr).toMatch(/http: POST \/api\/notify -> 200/);
  expect(run.stderr).toMatch(/"event":"scanRun".*"status":"completed"/);

  const files = readdirSync(dir).sort();
  expect(files).not.toContain('email-99-old-owner.html');
  expect(files).toContain('notes.txt');
  expect(files).toEqual(expect.arrayContaining(['report.html', 'teams-card.json', 'teams-card.html', 'demo-token']));
  expect(run.stdout).toMatch(/demo: bearer token of the demo user \S+@\S+ .*demo-token/);
  const emails = files.filter((f) => /^email-\d+-.+\.html$/.test(f));
  expect(emails.length).toBeGreaterThanOrEqual(2);
  expect(emails.some((f) => f.includes('platform-security'))).toBe(true);

  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  expect(html).toContain('<meta http-equiv="Content-Security-Policy"');
  expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
  expect(html).not.toContain(HOSTILE_NAME);
  // The hostile cluster reaches the page's script as JSON with every < written as \u003c.
  expect(html).toContain(jsonForScript(HOSTILE_NAME));
  expect(jsonForScript(HOSTILE_NAME)).not.toContain('<');
  // The trend chart has the stored run.
  expect(html).toContain('id="chart-trend-t"');

  const card = JSON.parse(readFileSync(join(dir, 'teams-card.json'), 'utf8')) as {
    type: string;
    attachments: { contentType: string; content: { type: string; version: string } }[];
  };
  expect(card.type).toBe('message');
  expect(card.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(card.attachments[0].content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
  // The hostile cluster's name is one TextRun, exactly as named (TextRuns render no Markdown); no text is escaped.
  expect(textRuns(card.attachments[0].content)).toContain(HOSTILE_NAME);
  expect(cardTexts(card.attachments[0].content).filter(hasBackslashEscape)).toEqual([]);
  const preview = readFileSync(join(dir, 'teams-card.html'), 'utf8');
  expect(preview).not.toContain('<script>');
  const mail = readFileSync(
    join(
      dir,
      emails.find((f) => f.includes('platform-security'))!,
    ),
    'utf8',
  );
  expect(mail).toMatch(/<html|<table|<p/i);
  expect(mail).not.toContain('<script>');
  // The in-cluster rules are in the report and, where they fail high or worse, in the alerts.
  expect(html).toContain('aks_k8s_bindings_use_groups');
  expect(html).toContain('aks_node_reboot_managed');
  const alertText = `${JSON.stringify(card)} ${mail}`;
  expect(alertText).toMatch(/aks_k8s_bindings_use_groups|Kubernetes role bindings inside the cluster bind groups/);
  expect(alertText).toMatch(/aks_node_reboot_managed|Nodes on the Unmanaged node OS channel are rebooted by kured/);
}, 60_000);

describe('the serving demo', () => {
  let demo: DemoResult;
  const out: string[] = [];
  const lines: string[] = [];
  beforeAll(async () => {
    demo = await startDemo({
      port: 0,
      outputDir: tempDir(),
      out: (t) => out.push(t),
      log: (l) => lines.push(l),
    });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
  });
  /** The demo user's token, as the printed curl lines send it: read from the file the demo wrote. */
  const auth = (): RequestInit => ({
    headers: { authorization: `Bearer ${readFileSync(demo.tokenFile, 'utf8').trim()}` },
  });

  test("writes the demo user's bearer token to demo-token; without it every route answers 401", async () => {
    expect(demo.tokenFile.endsWith('/demo-token')).toBe(true);
    const token = readFileSync(demo.tokenFile, 'utf8').trim();
    expect(token).toBe(demo.token);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
      roles: string[];
      groups: string[];
      upn: string;
    };
    expect(claims.roles).toEqual(['Exemptions.Write', 'Reports.Read', 'Scans.Run']);
    expect(claims.groups).toHaveLength(3);
    const anonymous = await fetch(`http://127.0.0.1:${demo.port}/api/reports/latest?format=json`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  test('answers GET /api/reports/latest?format=json over HTTP with a schema-valid report of the stored run', async () => {
    expect(demo.port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${demo.port}/api/reports/latest?format=json`, auth());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const report = (await response.json()) as ScanReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.runId).toBe(demo.report.runId);
    expect(report.summary).toEqual(demo.report.summary);
    expect(report.clusters.length).toBe(sampleFleet().fleet.clusters.length);
    // The simulator captured what the notifier delivered.
    expect(demo.sim.captured.teams.length).toBeGreaterThanOrEqual(1);
    expect(demo.sim.captured.mail.length).toBeGreaterThanOrEqual(1);
  });

  test('never logs a function key sent in the query string', async () => {
    const response = await fetch(
      `http://127.0.0.1:${demo.port}/api/reports/latest?format=json&code=s3cr3t-key`,
      auth(),
    );
    expect(response.status).toBe(200);
    const logged = lines.filter((l) => l.includes('/api/reports/latest?format=json&code='));
    expect(logged.length).toBe(1);
    expect(logged[0]).toContain('code=***');
    expect(lines.join('\n')).not.toContain('s3cr3t-key');
  });

  test("the nightly run's findings match the sample fleet's ground truth", () => {
    const { truth } = sampleFleet(new Date(demo.report.asOf));
    const mismatches: string[] = [];
    for (const c of demo.report.clusters) {
      const expected = truth.get(c.id.toLowerCase());
      if (!expected) {
        mismatches.push(`${c.id}: not in the ground truth`);
        continue;
      }
      for (const f of c.findings) {
        const want = expected[f.ruleId];
        if (!want) continue;
        if (want.status !== f.status || (want.severity && f.status === 'fail' && want.severity !== f.severity)) {
          mismatches.push(`${c.name} ${f.ruleId}: ${f.status}/${f.severity}, expected ${want.status}/${want.severity}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(demo.report.clusters.length).toBe(truth.size);
  });

  test('serves the other routes as the host would: html with its CSP, 404 and 405 as JSON errors, filters', async () => {
    const base = `http://127.0.0.1:${demo.port}`;
    const html = await fetch(`${base}/api/reports/latest?format=html`, auth());
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await html.text()).toContain('AKS compliance report');

    const filtered = (await (
      await fetch(`${base}/api/reports/latest?format=json&status=fail`, auth())
    ).json()) as ScanReport;
    expect(filtered.clusters.flatMap((c) => c.findings).every((f) => f.status === 'fail')).toBe(true);

    const missing = await fetch(`${base}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NotFound');
    const wrongMethod = await fetch(`${base}/api/scans`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    const badFormat = await fetch(`${base}/api/reports/latest?format=pdf`, auth());
    expect(badFormat.status).toBe(400);
    expect(((await badFormat.json()) as { error: { message: string } }).error.message).toContain('format');

    const cluster = demo.report.clusters[0];
    const one = await fetch(
      `${base}/api/clusters/${cluster.subscriptionId}/${encodeURIComponent(cluster.resourceGroup)}/${encodeURIComponent(cluster.name)}`,
      auth(),
    );
    expect(one.status).toBe(200);
  });

  test('the first scan names the delegated cluster of another tenant; the second (POST /api/scans, queued) also the subscription that lost Reader, resolving nothing', async () => {
    // The nightly scan: complete, the Lighthouse customer's principals unknown naming its tenant.
    expect(demo.report.complete).toBe(true);
    expect(demo.report.problems).toEqual([
      expect.objectContaining({
        scope: `tenant ${FABRIKAM_TENANT_ID}`,
        message: expect.stringMatching(/Azure Lighthouse/),
      }),
    ]);
    const delegated = demo.report.clusters.find((c) => c.name === DELEGATED_CLUSTER_NAME)!;
    expect(delegated.findings.find((f) => f.ruleId === 'aks_admin_groups_valid')?.status).toBe('unknown');
    expect(out.join('')).toContain(`lost Reader on subscription ${READER_LOSS_SUBSCRIPTION}`);

    const before = out.length;
    const response = await fetch(`http://127.0.0.1:${demo.port}/api/scans`, { method: 'POST', ...auth() });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    let answer: Response | undefined;
    for (let i = 0; i < 300; i++) {
      answer = await fetch(`http://127.0.0.1:${demo.port}/api/reports/${runId}?format=json`, auth());
      if (answer.status !== 202) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(answer!.status).toBe(200);
    const report = (await answer!.json()) as ScanReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.complete).toBe(false);
    const named = (report.problems ?? []).map((p) => `${p.scope}: ${p.message}`);
    expect(named).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^/subscriptions/${READER_LOSS_SUBSCRIPTION}: .*no longer readable`)),
        expect.stringMatching(new RegExp(`^tenant ${FABRIKAM_TENANT_ID}: `)),
      ]),
    );
    expect(report.clusters.some((c) => c.subscriptionId === READER_LOSS_SUBSCRIPTION)).toBe(false);
    // The demo tells what the run wrote once its record is readable: no status changed, the subscription's clusters
    // kept their state.
    for (let i = 0; i < 50 && !out.slice(before).join('').includes('(http)'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out.slice(before).join('')).toMatch(/\(http\) partial .*nothing changed/);
    expect(lines.join('\n')).toMatch(/"trigger":"http".*"changedFindings":0/);
    const lost = demo.report.clusters.filter((c) => c.subscriptionId === READER_LOSS_SUBSCRIPTION);
    expect(lost.length).toBeGreaterThan(0);
    for (const c of lost) {
      const state = await fetch(
        `http://127.0.0.1:${demo.port}/api/clusters/${c.subscriptionId}/${encodeURIComponent(c.resourceGroup)}/${encodeURIComponent(c.name)}`,
        auth(),
      );
      const body = (await state.json()) as { cluster: { findings: { ruleId: string; status: string }[] } };
      const was = c.findings
        .filter((f) => f.status === 'fail')
        .map((f) => f.ruleId)
        .sort();
      expect(
        body.cluster.findings
          .filter((f) => f.status === 'fail')
          .map((f) => f.ruleId)
          .sort(),
      ).toEqual(was);
    }
  });
});

test('the serving CLI prints the URLs and a curl line, and stops everything on SIGINT', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    isTTY: false,
    cwd: tempDir(),
  };
  const listeners = process.listenerCount('SIGINT');
  const running = main(['demo', '--port', '0', '--output-dir', tempDir()], io);
  for (let i = 0; i < 300 && !out.join('').includes('Press Ctrl+C'); i++) await new Promise((r) => setTimeout(r, 100));
  const printed = out.join('');
  const url = /Serving the HTTP functions on (http:\/\/localhost:\d+)\/api\//.exec(printed)?.[1];
  expect(url).toBeDefined();
  const tokenFile = /the demo user's token is in (\S+)\./.exec(printed)?.[1];
  expect(tokenFile).toMatch(/demo-token$/);
  const header = `-H "Authorization: Bearer $(cat ${tokenFile})"`;
  expect(printed).toContain(`curl -s ${header} '${url}/api/reports/latest?format=json'`);
  expect(printed).toContain(`curl -s -X POST ${header} ${url}/api/scans`);
  const port = Number(new URL(url!).port);
  const token = readFileSync(join(io.cwd, tokenFile!), 'utf8').trim();
  const served = await fetch(`http://127.0.0.1:${port}/api/reports/latest?format=json`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(served.status).toBe(200);

  process.emit('SIGINT');
  expect(await running).toBe(0);
  expect(out.join('')).toContain('demo: stopping Azurite, the simulator and the server');
  await expect(fetch(`http://127.0.0.1:${port}/api/reports/latest`)).rejects.toThrow();
  expect(process.listenerCount('SIGINT')).toBe(listeners);
}, 60_000);

test('a taken port gives one clear line naming it and --port, exit 2', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const run = await cli('demo', '--once', '--port', String(port), '--output-dir', tempDir());
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `aks-compliance: demo: port ${port} is already in use; choose another with --port N (or --port 0 for any free port)`,
    ]);
  } finally {
    blocker.close();
  }
});

test('bad flags give one line and exit 2', async () => {
  for (const argv of [
    ['demo', '--port', 'http'],
    ['demo', '--port', '70000'],
    ['demo', '--bogus'],
  ]) {
    const run = await cli(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^aks-compliance: demo: /);
  }
  const help = await cli('demo', '--help');
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--output-dir');
});

// The demo: the whole product on this machine without an Azure account. Azurite (tables) and the local Azure
// simulator with the sample fleet stand in for Azure; the product is configured only through its settings
// (loadSettings on an environment naming the simulator, Azurite and the local notifier), runs its nightly timer
// handler end to end (scan, store, alerts through POST /api/notify to Teams and mail), writes what a newcomer wants
// to look at, and serves the HTTP functions' routes on http://localhost:PORT/api/... like the Functions host.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvocationContext, type Timer } from '@azure/functions';
import escapeHtml from 'escape-html';
import { teamsMessagePreviewHtml } from '../alerts/preview';
import { createAzureClients } from '../azure/clients';
import { loadSettings, type Settings } from '../config/settings';
import type { HttpDeps } from '../http/common';
import { handleNotify } from '../http/notify';
import { alertDeliveryHandler } from '../alerts/deliveryFunction';
import { DELIVERY_QUEUE, POISON_QUEUE } from '../alerts/deliveryQueue';
import { routesWith, type Route } from '../http/routes';
import type { ScanReport } from '../model';
import { renderReport, terminalSafe } from '../report/render';
// The timer's handler, not its function file: registering needs the Functions host (outside it the library switches
// to "test mode" and warns), and the demo only calls the handler.
import { nightlyScanHandler } from '../scan/nightly';
import type { RunSummary } from '../report/html';
import { FindingStore, type RunRecord } from '../store/findingStore';
import { DEMO_USER, startSimulator, type Simulator } from '../../sim';
import { afterReaderLoss, FABRIKAM_TENANT_ID, READER_LOSS_SUBSCRIPTION, sampleFleet } from '../../sim/fleet/sample';
import { trustCa } from '../../sim/trust';
import { startAzurite, type Azurite } from '../../sim/azurite';
import { createQueueClient } from '../azure/queues';
import { runQueuedScan, SCAN_QUEUE } from '../scan/onDemand';
import { localQueueHost, type LocalQueueHost } from './queueHost';
import { startLocalServer, type LocalServer } from './server';

export const DEFAULT_DEMO_PORT = 7071;
/** The demo person's token lasts a working day (Entra ID token lifetime policies allow 10 minutes to 1 day). */
export const DEMO_TOKEN_LIFETIME_SECONDS = 8 * 3600;

export interface DemoOptions {
  /** Port of the local HTTP server (0 = any free port). */
  port: number;
  /** Where report.html, the Teams card and the emails go. */
  outputDir: string;
  /** Progress and summary lines (stdout). */
  out: (text: string) => void;
  /** The product's own log lines (stderr). */
  log: (line: string) => void;
}

interface ScanRunEvent {
  runId: string;
  trigger: string;
  status: string;
  clusters: number;
  changedFindings: number;
  changedClusters: number;
  alerts: number;
  durationMs: number;
}

/** The scan job's closing log line (`{"event":"scanRun",...}`), or undefined for any other line. */
export function parseScanRunLog(line: string): ScanRunEvent | undefined {
  const start = line.indexOf('{"event":"scanRun"');
  if (start < 0) return undefined;
  try {
    return JSON.parse(line.slice(start)) as ScanRunEvent;
  } catch {
    return undefined;
  }
}

/**
 * A finished scan told as a sentence: how many finding statuses changed and what the store wrote for them (an
 * unchanged fleet writes only the run record).
 */
export function describeScan(e: ScanRunEvent, writes?: RunRecord['writes']): string {
  const rows = writes ? writes.latest + writes.changes + writes.history + writes.views : undefined;
  const stored =
    rows === undefined
      ? ''
      : rows === 0
        ? ': the store wrote only the run record (0 status rows)'
        : `: the store wrote ${writes!.latest} latest-status, ${writes!.changes} change and ${writes!.history} history rows`;
  const changed =
    e.changedFindings === 0
      ? 'nothing changed'
      : `${e.changedFindings} finding statuses changed in ${e.changedClusters} clusters`;
  return (
    `demo: scan ${e.runId} (${e.trigger}) ${e.status} in ${(e.durationMs / 1000).toFixed(1)} s: ` +
    `${e.clusters} clusters, ${changed}${stored}; ${e.alerts} alerts\n`
  );
}

export interface DemoResult {
  url: string;
  port: number;
  report: ScanReport;
  /** The summary table as printed. */
  summary: string;
  files: string[];
  settings: Settings;
  sim: Simulator;
  /** The demo person's bearer token (groups holding Reports.Read, Scans.Run, Exemptions.Write) and its file. */
  token: string;
  tokenFile: string;
  /** Milliseconds: the nightly scan handler alone, and everything up to the files being written. */
  timings: { startMs: number; scanMs: number; totalMs: number };
  stop(): Promise<void>;
}

/** The settings environment of the demo: the simulator's, Azurite, the local notifier, Teams sink and mailboxes. */
export function demoEnvironment(sim: Simulator, azurite: Azurite, baseUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    ...sim.env,
    AKS_COMPLIANCE_STORAGE: azurite.connectionString,
    AKS_COMPLIANCE_NOTIFY_URL: `${baseUrl}/api/notify`,
    AKS_COMPLIANCE_TEAMS_WEBHOOK_URL: sim.teamsWebhookUrl,
    AKS_COMPLIANCE_MAIL_SENDER: 'aks-compliance@contoso.com',
    AKS_COMPLIANCE_MAIL_TO: 'platform-security@contoso.com',
    AKS_COMPLIANCE_REPORT_URL: `${baseUrl}/api/reports/latest?format=html`,
    // The in-cluster rules read each simulated cluster's Kubernetes API (no sample cluster leaves the scanner
    // waiting for an answer that never comes, so the budget is only a guard).
    AKS_COMPLIANCE_IN_CLUSTER: 'true',
    AKS_COMPLIANCE_IN_CLUSTER_TIMEOUT_SECONDS: '30',
  };
  // A process-level setting, not the product's: the CA is trusted in-process instead.
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/@.*$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'mail'
  );
}

interface MailMessage {
  subject?: unknown;
  body?: { contentType?: unknown; content?: unknown };
  toRecipients?: { emailAddress?: { address?: unknown } }[];
}

/** The curl header that sends the demo person's token, read from its file. */
export function bearerHeader(tokenFile: string): string {
  return `-H "Authorization: Bearer $(cat ${tokenFile})"`;
}

function indexPage(baseUrl: string, outputDir: string, tokenFile: string): string {
  const line = (command: string) => `<li><code>${escapeHtml(command)}</code></li>`;
  const auth = bearerHeader(tokenFile);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>aks-compliance demo</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;line-height:1.5}code{background:#f3f4f6;padding:0 .3rem}</style>
</head><body>
<h1>aks-compliance demo</h1>
<p>The product's HTTP functions, served locally on the same routes as in Azure. Every route needs an Entra ID bearer
token with the route's app role, as in Azure: the demo signed in a demo user (a member of the groups holding
Reports.Read, Scans.Run and Exemptions.Write) and wrote the token to <code>${escapeHtml(tokenFile)}</code>.</p>
<ul>
${line(`curl -s ${auth} '${baseUrl}/api/reports/latest?format=json'`)}
${line(`curl -s ${auth} '${baseUrl}/api/reports/latest?format=csv'`)}
${line(`curl -s ${auth} '${baseUrl}/api/reports/latest?format=md&status=fail'`)}
${line(`curl -s ${auth} '${baseUrl}/api/exemptions'`)}
${line(`curl -s -X POST ${auth} ${baseUrl}/api/scans`)}
</ul>
<p>Files written to <code>${escapeHtml(outputDir)}</code>: report.html, teams-card.json, teams-card.html, email-*.html,
demo-token.</p>
</body></html>
`;
}

/** Runs the demo up to the point where it serves; the caller stops it (Ctrl+C in the CLI, or `--once`). */
export async function startDemo(options: DemoOptions): Promise<DemoResult> {
  const t0 = Date.now();
  const outputDir = resolve(options.outputDir);
  let store: FindingStore | undefined;
  const pending = new Set<Promise<void>>();
  const log = (line: string) => {
    options.log(line);
    const event = parseScanRunLog(line);
    if (!event) return;
    // The closing line comes after the run was recorded: its record says what was written.
    const record = store ? store.getRun(event.runId).catch(() => undefined) : Promise.resolve(undefined);
    const told = record.then((run) => options.out(describeScan(event, run?.writes)));
    pending.add(told);
    void told.finally(() => pending.delete(told));
  };
  let routes: Route[] | undefined;
  let server: LocalServer | undefined;
  const tokenFile = join(outputDir, 'demo-token');
  const shownTokenFile = tokenFile.replace(process.cwd() + '/', '');
  let sim: Simulator | undefined;
  let azurite: Azurite | undefined;
  let worker: LocalQueueHost | undefined;
  let deliveries: LocalQueueHost | undefined;
  const stop = async () => {
    await worker?.stop().catch(() => undefined);
    await deliveries?.stop().catch(() => undefined);
    await Promise.allSettled([server?.close(), sim?.stop(), azurite?.dispose()]);
  };
  try {
    // The port first: a taken port is the most likely failure and the cheapest to report.
    server = await startLocalServer({
      port: options.port,
      routes: () => routes,
      log,
      index: () => indexPage(server!.url, outputDir, shownTokenFile),
    });
    const generated = sampleFleet(new Date());
    options.out(
      `demo: starting Azurite (Table Storage and queues, in memory) and the local Azure simulator with the sample fleet\n`,
    );
    [sim, azurite] = await Promise.all([startSimulator(generated.fleet), startAzurite({ queues: true })]);
    trustCa(sim.caPem);
    // The demo person signs in (the simulator issues the token as Entra ID would, roles from their groups).
    const token = sim.signIn.userToken({ ...DEMO_USER, lifetimeSeconds: DEMO_TOKEN_LIFETIME_SECONDS });
    mkdirSync(outputDir, { recursive: true });
    writeFileSync(tokenFile, token + '\n', { encoding: 'utf8', mode: 0o600 });

    const settings = loadSettings(demoEnvironment(sim, azurite, server.url));
    const clients = createAzureClients(settings);
    store = new FindingStore(clients);
    const deps: HttpDeps = { settings, clients, store };
    // The route table bound to this configuration; the notifier gets the same settings and clients.
    routes = routesWith(deps).map((route) =>
      route.name === 'notify' ? { ...route, handler: (r, c) => handleNotify(r, c, { settings, clients }) } : route,
    );
    // POST /api/scans queues; the queue-triggered worker runs here as the Functions host would run it.
    worker = localQueueHost({
      queue: createQueueClient(settings, clients.credential, SCAN_QUEUE),
      poison: createQueueClient(settings, clients.credential, `${SCAN_QUEUE}-poison`),
      functionName: 'scanQueue',
      handler: (entry, context) => runQueuedScan(entry, context, deps),
      log,
    });
    worker.start();
    // Retries of failed alert deliveries: the alertDelivery queue function, run here as the host would run it.
    deliveries = localQueueHost({
      queue: clients.queueClient(DELIVERY_QUEUE),
      poison: clients.queueClient(POISON_QUEUE),
      functionName: 'alertDelivery',
      handler: (message, context) => alertDeliveryHandler(message, context, { settings, clients }),
      log,
    });
    deliveries.start(2000);
    const startMs = Date.now() - t0;
    const subscriptions = generated.fleet.subscriptions?.length ?? 0;
    options.out(
      `demo: ${generated.fleet.clusters.length} clusters in ${subscriptions} subscriptions; ` +
        `running the nightly scan handler (scan, store, alerts)\n`,
    );

    const scanStart = Date.now();
    const now = new Date();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: now.toISOString(), next: now.toISOString(), lastUpdated: now.toISOString() },
    };
    const context = new InvocationContext({
      functionName: 'nightlyScan',
      invocationId: 'demo-nightly',
      logHandler: (level, ...args) =>
        log(`nightlyScan: ${level === 'information' ? '' : `${level}: `}${args.map(String).join(' ')}`),
    });
    await nightlyScanHandler(timer, context, deps);
    const scanMs = Date.now() - scanStart;
    await Promise.all(pending);

    const report = await store.getLatestReport();
    if (!report) throw new Error('the nightly scan recorded no report');
    const runs = await store.listRuns(30);
    const history: RunSummary[] = runs
      .filter((r) => r.summary && r.finishedAt && (r.status === 'completed' || r.status === 'partial'))
      .map((r) => ({ runId: r.runId, finishedAt: r.finishedAt!, summary: r.summary!, complete: r.complete }));

    const summary = renderReport(report, 'table');
    options.out('\n' + summary + '\n');
    // Between the two scans the identity loses Reader on one subscription, as happens in real tenants: Resource Graph
    // then leaves it out without an error, and the second scan must say so (and resolve none of its fails).
    sim.setFleet(afterReaderLoss(generated).fleet);
    options.out(
      `demo: the scanner has just lost Reader on subscription ${READER_LOSS_SUBSCRIPTION} (Contoso Sandbox); the ` +
        `second scan (POST /api/scans) names it as no longer readable, next to the delegated cluster of tenant ` +
        `${FABRIKAM_TENANT_ID} (Azure Lighthouse) whose directory the scanner does not read, and resolves none of ` +
        `their fails\n`,
    );

    // Files of an earlier demo run would mix with this one's (a different number of emails): remove only those.
    for (const name of readdirSync(outputDir)) {
      if (/^(report\.html|teams-card(-\d+)?\.(json|html)|email-\d+-[a-z0-9-]+\.html)$/.test(name)) {
        rmSync(join(outputDir, name), { force: true });
      }
    }
    const files: string[] = [];
    const write = (name: string, content: string) => {
      const path = join(outputDir, name);
      writeFileSync(path, content, 'utf8');
      files.push(path);
    };
    write('report.html', renderReport(report, 'html', { history }));
    sim.captured.teams.forEach((message, i) => {
      const suffix = i === 0 ? '' : `-${i + 1}`;
      write(`teams-card${suffix}.json`, JSON.stringify(message, null, 2) + '\n');
      write(`teams-card${suffix}.html`, teamsMessagePreviewHtml(message));
    });
    const mails: string[] = [];
    sim.captured.mail.forEach((mail, i) => {
      const message = (mail.message ?? {}) as MailMessage;
      const to = (message.toRecipients ?? []).map((r) => String(r?.emailAddress?.address ?? '')).filter(Boolean);
      const content = String(message.body?.content ?? '');
      const html =
        String(message.body?.contentType ?? '').toLowerCase() === 'html'
          ? content
          : `<!DOCTYPE html><meta charset="utf-8"><pre>${escapeHtml(content)}</pre>\n`;
      const name = `email-${i + 1}-${slug(to[0] ?? 'mail')}.html`;
      write(name, html);
      mails.push(terminalSafe(`${name}: to ${to.join(', ')}: ${String(message.subject ?? '')}`));
    });
    const totalMs = Date.now() - t0;

    const rel = (path: string) => path.replace(process.cwd() + '/', '');
    options.out(
      [
        `demo: scan finished in ${(scanMs / 1000).toFixed(1)} s (start-up ${(startMs / 1000).toFixed(1)} s, ` +
          `total ${(totalMs / 1000).toFixed(1)} s)`,
        `demo: wrote ${rel(join(outputDir, 'report.html'))}`,
        sim.captured.teams.length > 0
          ? `demo: Teams card: ${rel(join(outputDir, 'teams-card.json'))} (preview ${rel(join(outputDir, 'teams-card.html'))})`
          : 'demo: no Teams card was posted (no alert at or above the alert threshold)',
        ...mails.map((m) => `demo: email ${m}`),
        `demo: bearer token of the demo user ${DEMO_USER.upn} (groups holding Reports.Read, Scans.Run, ` +
          `Exemptions.Write): ${rel(tokenFile)}`,
        '',
      ].join('\n'),
    );
    return {
      url: server.url,
      port: server.port,
      report,
      summary,
      files,
      settings,
      sim,
      token,
      tokenFile,
      timings: { startMs, scanMs, totalMs },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What the demo prints once it serves (`tokenFile` as the reader should type it, e.g. demo-output/demo-token). */
export function servingMessage(url: string, tokenFile: string): string {
  const auth = bearerHeader(tokenFile);
  return [
    `Serving the HTTP functions on ${url}/api/ (the same handlers and routes as in Azure). Every route needs an`,
    `Entra ID bearer token with its app role; the demo user's token is in ${tokenFile}. Try:`,
    `  curl -s ${auth} '${url}/api/reports/latest?format=json'`,
    `  curl -s ${auth} '${url}/api/reports/latest?format=csv&status=fail'`,
    `  curl -s ${auth} '${url}/api/reports/latest?format=html' -o report.html`,
    `  curl -s -X POST ${auth} ${url}/api/scans        (a second scan, queued: 202 with its report URL; partial: it names the subscription that lost Reader)`,
    `  curl -s ${auth} ${url}/api/exemptions`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

// GET /api/reports/latest and GET /api/reports/{runId}: a stored report in json, csv, md or html, with the report
// filters (severity, status, subscription, rule).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ClusterReport, ScanReport } from '../model';
import { FilterError, filterReport, type ReportFilters } from '../report/filter';
import { CONTENT_SECURITY_POLICY, HTML_DETAIL_RULES, HTML_FULL_TABLE_LIMIT } from '../report/html';
import { AGGREGATE_DETAIL_RULES, reportAggregates } from '../report/aggregates';
import { findingsCounted } from '../report/findings';
import { renderReport } from '../report/render';
import { RunNotReadyError, type FindingStore, type ReportDetail } from '../store/findingStore';
import {
  HttpError,
  RUN_ID,
  errorResponse,
  jsonResponse,
  readQuery,
  requireMethod,
  resolveDeps,
  respond,
  runningResponse,
  textResponse,
  type HttpDeps,
} from './common';
import { requireRole } from './auth';
import { pageOf, parsePaging, type Paging } from './reportPaging';

export const HTTP_REPORT_FORMATS = ['json', 'csv', 'md', 'html'] as const;
export type HttpReportFormat = (typeof HTTP_REPORT_FORMATS)[number];

const CONTENT_TYPES: Record<HttpReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const FILTERS: (keyof ReportFilters)[] = ['severity', 'status', 'subscription', 'rule'];
/**
 * Runs up to this many clusters are read whole for a JSON or CSV page (32 partition reads a table); larger ones read
 * the page's clusters one at a time after a thin listing.
 */
const WHOLE_READ_CLUSTERS = 2_000;

/** The formats served in pages (`top`, `skipToken`); md and html are one document. */
const PAGED: HttpReportFormat[] = ['json', 'csv'];

/**
 * What is read of each finding for `format`: JSON and CSV are read thin, filtered and paged, and the page's clusters
 * then read whole; HTML and Markdown of a run past HTML_FULL_TABLE_LIMIT findings count its passes, so they are read
 * thinned (but for the rules whose details the HTML charts read).
 */
export function reportDetailFor(format: HttpReportFormat): ReportDetail {
  return PAGED.includes(format)
    ? 'thin'
    : { thinPassesAbove: HTML_FULL_TABLE_LIMIT, ...(format === 'html' ? { wholeRules: HTML_DETAIL_RULES } : {}) };
}

/** Whether the store thinned the passes of `report` (read whole in `format`): its own summary says so. */
export function passesThinnedFor(format: HttpReportFormat, report: ScanReport): boolean {
  return !PAGED.includes(format) && findingsCounted(report.summary) > HTML_FULL_TABLE_LIMIT;
}

/**
 * Renders a report in an HTTP format with its content type (and the HTML page's own CSP). `passesThinned`: the
 * report was read with its passes thinned (a run of more than HTML_FULL_TABLE_LIMIT findings), so HTML and Markdown
 * count them, not list them, even when filtered to a few.
 */
export async function reportResponse(
  report: ScanReport,
  format: HttpReportFormat,
  store: FindingStore | undefined,
  passesThinned = false,
): Promise<HttpResponseInit> {
  const status = 200;
  let headers: Record<string, string> = {};
  if (format === 'json') return textResponse(status, renderReport(report, 'json'), CONTENT_TYPES.json, headers);
  if (format === 'csv' && report.page?.nextLink) {
    // The next page, relative to this URL (every report URL is /api/reports/X).
    headers = { Link: `<../${report.page.nextLink}>; rel="next"`, ...headers };
  }
  if (format === 'html') {
    // The trend chart: summaries of the stored runs (best effort; the report renders without it).
    const runs = store ? await store.listRuns(30).catch(() => []) : [];
    const history = runs
      .filter((r) => r.summary && r.finishedAt && (r.status === 'completed' || r.status === 'partial'))
      .map((r) => ({ runId: r.runId, finishedAt: r.finishedAt!, summary: r.summary!, complete: r.complete }));
    // Clusters link to their own pages: from /api/reports/X, ../clusters/... is /api/clusters/...
    const html = renderReport(report, 'html', {
      history,
      clusterLinkBase: '..',
      ...(passesThinned ? { fullTableLimit: 0 } : {}),
    });
    return textResponse(status, html, CONTENT_TYPES.html, {
      'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
      ...headers,
    });
  }
  // Markdown lists passes too, unless the run's passes were read thinned (then it counts them).
  const body = renderReport(report, format, { includePassing: !(format === 'md' && passesThinned) });
  return textResponse(status, body, CONTENT_TYPES[format], {
    'Content-Disposition': `inline; filename="aks-compliance-${report.runId.replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}"`,
    ...headers,
  });
}

/**
 * A run's report (`wanted`: a run ID or `latest`), or the answer when there is none: 202 while the run is running,
 * 409 when it failed, 404 when unknown. `runId` is the run the request named (the answers speak of it).
 */
async function loadReport(
  store: FindingStore,
  runId: string,
  wanted: string,
  detail: ReportDetail,
): Promise<{ report: ScanReport } | { response: HttpResponseInit }> {
  let report: ScanReport | undefined;
  try {
    report = wanted === 'latest' ? await store.getLatestReport({ detail }) : await store.getRunReport(wanted, detail);
  } catch (error) {
    if (error instanceof RunNotReadyError) {
      // The run behind a 202 from POST /api/scans: poll again later.
      if (error.status === 'running') {
        return { response: runningResponse(runId, { message: `run ${runId} is still running` }) };
      }
      return {
        response: errorResponse(
          409,
          'RunFailed',
          `run ${runId} ${error.status === 'failed' ? 'failed' : `is ${error.status}`} and has no report`,
        ),
      };
    }
    throw error;
  }
  if (report) return { report };
  return {
    response:
      runId === 'latest'
        ? errorResponse(404, 'NoReport', 'no scan run has been recorded yet')
        : errorResponse(404, 'RunNotFound', `run ${runId} is not known`),
  };
}

/** Reads `format` and the filters from the query (400 naming the parameter). */
export function parseReportQuery(request: HttpRequest): {
  format: HttpReportFormat;
  filters: ReportFilters;
  paging: Paging;
  query: [string, string][];
} {
  const query = readQuery(request, ['format', 'top', 'skipToken', ...FILTERS], FILTERS);
  const formatValue = query.get('format')?.[0] ?? 'json';
  if (!(HTTP_REPORT_FORMATS as readonly string[]).includes(formatValue)) {
    throw new HttpError(
      400,
      'InvalidQueryParameter',
      `format: "${formatValue.slice(0, 50)}" is not supported (supported: ${HTTP_REPORT_FORMATS.join(', ')})`,
    );
  }
  const filters: ReportFilters = {};
  for (const name of FILTERS) {
    const values = query.get(name);
    if (values) filters[name] = values;
  }
  const format = formatValue as HttpReportFormat;
  const top = query.get('top')?.[0];
  const skipToken = query.get('skipToken')?.[0];
  if ((top !== undefined || skipToken !== undefined) && !PAGED.includes(format)) {
    throw new HttpError(400, 'InvalidQueryParameter', `top and skipToken page the ${PAGED.join(' and ')} formats only`);
  }
  const flat: [string, string][] = [...query].flatMap(([name, values]) =>
    values.map((v): [string, string] => [name, v]),
  );
  return { format, filters, paging: parsePaging(top, skipToken), query: flat };
}

export function applyFilters(report: ScanReport, filters: ReportFilters): ScanReport {
  try {
    return filterReport(report, filters);
  } catch (error) {
    if (error instanceof FilterError) {
      throw new HttpError(400, 'InvalidQueryParameter', `${error.filter}: ${error.message}`);
    }
    throw error;
  }
}

export async function handleGetReport(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'reports', async () => {
    const resolved = resolveDeps(deps);
    await requireRole(request, 'Reports.Read', resolved.settings);
    requireMethod(request, ['GET']);
    const runId = request.params.runId ?? 'latest';
    if (!RUN_ID.test(runId)) {
      throw new HttpError(
        400,
        'InvalidRunId',
        'runId: must be "latest" or a run ID (letters, digits, . _ : -, at most 128)',
      );
    }
    const { format, filters, paging, query } = parseReportQuery(request);
    const store = resolved.store;
    // A skipToken names the run its pages come from (reports/latest keeps paging the run it started on).
    if (paging.runId !== undefined && runId !== 'latest' && runId !== paging.runId) {
      throw new HttpError(400, 'InvalidQueryParameter', `skipToken: issued for another run than ${runId}`);
    }
    const loaded = await loadReport(store, runId, paging.runId ?? runId, reportDetailFor(format));
    if (!('report' in loaded)) return loaded.response;
    const report = loaded.report;
    // Thinned passes are counted, not listed, even in a filtered part.
    const passesThinned = passesThinnedFor(format, report);
    const filtered = applyFilters(report, filters);
    if (!PAGED.includes(format)) return reportResponse(filtered, format, store, passesThinned);
    const page = pageOf(filtered, paging, query);
    // A small run is read whole (a partition read a bucket beats a read a cluster); a large one a cluster at a time.
    const ids = page.clusters.map((c) => c.id);
    let whole: ClusterReport[];
    if (report.clusters.length <= WHOLE_READ_CLUSTERS) {
      const onPage = new Set(ids);
      whole = ((await store.getRunReport(page.runId)) ?? { clusters: [] }).clusters.filter((c) => onPage.has(c.id));
    } else {
      whole = await store.getRunClusters(page.runId, ids);
    }
    // The same filters over the whole clusters keep the same findings (they read rule, status, severity, subscription).
    return reportResponse(
      { ...page, clusters: applyFilters({ ...page, clusters: whole }, filters).clusters },
      format,
      store,
    );
  });
}

/** GET /api/reports/{runId}/summary: the run's totals and chart data (see ReportAggregates) and the runs' trend. */
export async function handleGetReportSummary(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'reportSummary', async () => {
    const resolved = resolveDeps(deps);
    await requireRole(request, 'Reports.Read', resolved.settings);
    requireMethod(request, ['GET']);
    readQuery(request, []);
    const runId = request.params.runId ?? 'latest';
    if (!RUN_ID.test(runId)) {
      throw new HttpError(
        400,
        'InvalidRunId',
        'runId: must be "latest" or a run ID (letters, digits, . _ : -, at most 128)',
      );
    }
    const store = resolved.store;
    // The aggregates count statuses and severities, and read the details of a few rules only.
    const loaded = await loadReport(store, runId, runId, { wholeRules: [...AGGREGATE_DETAIL_RULES] });
    if (!('report' in loaded)) return loaded.response;
    const report = loaded.report;
    const runs = await store.listRuns(30);
    const trend = runs
      .filter((r) => r.summary && r.finishedAt && (r.status === 'completed' || r.status === 'partial'))
      .map((r) => ({ runId: r.runId, finishedAt: r.finishedAt!, complete: r.complete ?? false, summary: r.summary! }));
    return jsonResponse(200, { ...reportAggregates(report), trend });
  });
}

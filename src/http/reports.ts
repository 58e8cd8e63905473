// GET /api/reports/latest and GET /api/reports/{runId}: a stored report in json, csv, md or html, with the report
// filters (severity, status, subscription, rule).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ScanReport } from '../model';
import { FilterError, filterReport, type ReportFilters } from '../report/filter';
import { CONTENT_SECURITY_POLICY } from '../report/html';
import { renderReport } from '../report/render';
import { RunNotReadyError, type FindingStore } from '../store/findingStore';
import {
  HttpError,
  RUN_ID,
  errorResponse,
  readQuery,
  requireMethod,
  resolveDeps,
  respond,
  runningResponse,
  textResponse,
  type HttpDeps,
} from './common';
import { requireRole } from './auth';

export const HTTP_REPORT_FORMATS = ['json', 'csv', 'md', 'html'] as const;
export type HttpReportFormat = (typeof HTTP_REPORT_FORMATS)[number];

const CONTENT_TYPES: Record<HttpReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const FILTERS: (keyof ReportFilters)[] = ['severity', 'status', 'subscription', 'rule'];

/** Renders a report in an HTTP format with its content type (and the HTML page's own CSP). */
export async function reportResponse(
  report: ScanReport,
  format: HttpReportFormat,
  store: FindingStore | undefined,
  status = 200,
  headers: Record<string, string> = {},
): Promise<HttpResponseInit> {
  if (format === 'json') return textResponse(status, renderReport(report, 'json'), CONTENT_TYPES.json, headers);
  if (format === 'html') {
    // The trend chart: summaries of the stored runs (best effort; the report renders without it).
    const runs = store ? await store.listRuns(30).catch(() => []) : [];
    const history = runs
      .filter((r) => r.summary && r.finishedAt && (r.status === 'completed' || r.status === 'partial'))
      .map((r) => ({ runId: r.runId, finishedAt: r.finishedAt!, summary: r.summary!, complete: r.complete }));
    return textResponse(status, renderReport(report, 'html', { history }), CONTENT_TYPES.html, {
      'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
      ...headers,
    });
  }
  const body = renderReport(report, format, { includePassing: true });
  return textResponse(status, body, CONTENT_TYPES[format], {
    'Content-Disposition': `inline; filename="aks-compliance-${report.runId.replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}"`,
    ...headers,
  });
}

/** Reads `format` and the filters from the query (400 naming the parameter). */
export function parseReportQuery(request: HttpRequest): { format: HttpReportFormat; filters: ReportFilters } {
  const query = readQuery(request, ['format', ...FILTERS], FILTERS);
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
  return { format: formatValue as HttpReportFormat, filters };
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
    const { format, filters } = parseReportQuery(request);
    const store = resolved.store;
    let report: ScanReport | undefined;
    try {
      report = runId === 'latest' ? await store.getLatestReport() : await store.getRunReport(runId);
    } catch (error) {
      if (error instanceof RunNotReadyError) {
        if (error.status === 'running') {
          // The run behind a 202 from POST /api/scans: poll again later.
          return runningResponse(runId, { message: `run ${runId} is still running` });
        }
        return errorResponse(
          409,
          'RunFailed',
          `run ${runId} ${error.status === 'failed' ? 'failed' : `is ${error.status}`} and has no report`,
        );
      }
      throw error;
    }
    if (!report) {
      return runId === 'latest'
        ? errorResponse(404, 'NoReport', 'no scan run has been recorded yet')
        : errorResponse(404, 'RunNotFound', `run ${runId} is not known`);
    }
    return reportResponse(applyFilters(report, filters), format, store);
  });
}

// Pages of a report over HTTP: `top` clusters per page, `skipToken` an opaque position bound to the run it came
// from, so following `nextLink` of `reports/latest` stays on that run when a newer one finishes meanwhile.
import type { ScanReport } from '../model';
import { HttpError } from './common';

export const DEFAULT_TOP = 1000;
export const MAX_TOP = 5000;

export interface Paging {
  top: number;
  offset: number;
  /** `top` or `skipToken` was given: the answer says where the page sits even when it is the whole report. */
  asked: boolean;
  /** The run the skipToken was issued for (undefined without a skipToken). */
  runId?: string;
}

export function encodeSkipToken(runId: string, offset: number): string {
  return Buffer.from(JSON.stringify({ r: runId, o: offset }), 'utf8').toString('base64url');
}

function badToken(): HttpError {
  return new HttpError(400, 'InvalidQueryParameter', 'skipToken: not a skipToken this API issued (use nextLink)');
}

export function decodeSkipToken(token: string): { runId: string; offset: number } {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token)) throw badToken();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badToken();
  }
  const { r, o } = (value ?? {}) as { r?: unknown; o?: unknown };
  if (typeof r !== 'string' || r.length === 0 || typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    throw badToken();
  }
  return { runId: r, offset: o };
}

/** `top` and `skipToken` from the query (400 naming the parameter). */
export function parsePaging(top: string | undefined, skipToken: string | undefined): Paging {
  let size = DEFAULT_TOP;
  if (top !== undefined) {
    if (!/^\d{1,6}$/.test(top) || Number(top) < 1 || Number(top) > MAX_TOP) {
      throw new HttpError(400, 'InvalidQueryParameter', `top: must be an integer from 1 to ${MAX_TOP}`);
    }
    size = Number(top);
  }
  if (skipToken === undefined) return { top: size, offset: 0, asked: top !== undefined };
  const { runId, offset } = decodeSkipToken(skipToken);
  return { top: size, offset, runId, asked: true };
}

/**
 * The page of `report` (clusters in its order) that `paging` asks for, with its place in the whole. `query` is the
 * rest of the request's query (format and filters), repeated in `nextLink`.
 */
export function pageOf(report: ScanReport, paging: Paging, query: [string, string][]): ScanReport {
  if (paging.runId !== undefined && paging.runId !== report.runId) {
    throw new HttpError(
      400,
      'InvalidQueryParameter',
      `skipToken: issued for run ${paging.runId.slice(0, 128)}, not this one`,
    );
  }
  const total = report.clusters.length;
  // A report that fits one page, asked for without paging, is served as it always was.
  if (!paging.asked && total <= paging.top) return report;
  if (paging.offset > total)
    throw new HttpError(400, 'InvalidQueryParameter', 'skipToken: beyond the end of the report');
  const end = Math.min(total, paging.offset + paging.top);
  const page: ScanReport = {
    ...report,
    clusters: report.clusters.slice(paging.offset, end),
    page: { top: paging.top, offset: paging.offset, totalClusters: total },
  };
  if (end < total) {
    const token = encodeSkipToken(report.runId, end);
    const params = new URLSearchParams(query.filter(([k]) => k !== 'top' && k !== 'skipToken'));
    params.set('top', String(paging.top));
    params.set('skipToken', token);
    page.page!.nextSkipToken = token;
    page.page!.nextLink = `reports/${encodeURIComponent(report.runId)}?${params.toString()}`;
  }
  return page;
}

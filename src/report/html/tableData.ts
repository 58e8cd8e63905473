// The findings table's data, as the page's script reads it. Clusters, rules, subscriptions and texts are listed once
// and rows refer to them by index. At fleet scale (more findings than `fullTableLimit`) the table holds every
// finding that is not a pass, and passes are counted per rule and per cluster; texts are kept as templates with the
// cluster's own names as one-character placeholders, and the data travels gzip-compressed (the page's script
// decompresses it with the browser's DecompressionStream, no request made).
import { gzipSync } from 'node:zlib';
import { SEVERITIES, normaliseId, type ClusterReport, type ScanReport, type Status } from '../../model';
import { formatTags } from '../findings';
import { RULES_BY_ID } from '../../rules/index';

// Table order: what needs attention first (the order the script's status sort uses).
export const STATUS_ORDER: Status[] = ['fail', 'unknown', 'exempt', 'not_applicable', 'pass'];

/** Placeholders of a cluster's own values in texts (Private Use Area characters: never in a report's text). */
export const PLACEHOLDERS = ['\uE000', '\uE001', '\uE002', '\uE003', '\uE004'] as const;
const PLACEHOLDER = /[\uE000-\uE004]/;

export interface TableData {
  /** rule ID, title, passes (counted, at fleet scale only listed as a count) */
  rules: [string, string, number][];
  subs: string[];
  /**
   * name, resource group, subscription index, location, version, ID (a text index: a template of the cluster's
   * resource group, name and subscription), tags text, passing findings
   */
  clusters: [string, string, number, string, string | null, number, string, number][];
  /** Interned messages and remediation commands, with placeholders for the cluster's values (see expandText). */
  text: string[];
  /** Texts to show as they are: they held placeholder characters of their own (never expanded). */
  raw: number[];
  /** cluster index, rule index, status (STATUS_ORDER index), severity (SEVERITIES index), message, remediation */
  rows: [number, number, number, number, number, number][];
  pageSize: number;
  /** Passing findings are counted, not listed. */
  passesCounted: boolean;
  /** Rows are in the table's default order (status, severity, cluster, rule): the page need not sort them first. */
  presorted: boolean;
  /** Where a cluster's own page is: `${clusterLinkBase}/clusters/SUB/RG/NAME?format=html`; absent: no links. */
  clusterLinkBase?: string;
}

/** The values the placeholders stand for, in PLACEHOLDERS order: ID, normalised ID, resource group, name, subscription. */
export function clusterValues(c: Pick<ClusterReport, 'id' | 'resourceGroup' | 'name' | 'subscriptionId'>): string[] {
  return [c.id, normaliseId(c.id), c.resourceGroup, c.name, c.subscriptionId];
}

/** The values a cluster's ID template may use (its own ID cannot stand in for itself). */
export function idValues(c: Pick<ClusterReport, 'resourceGroup' | 'name' | 'subscriptionId'>): string[] {
  return ['', '', c.resourceGroup, c.name, c.subscriptionId];
}

/** A text with the cluster's values replaced by placeholders (longest first); unchanged where that cannot be undone. */
export function templateText(text: string, values: string[]): string {
  if (text.length === 0 || PLACEHOLDER.test(text) || values.some((v) => PLACEHOLDER.test(v))) return text;
  let out = text;
  values.forEach((value, k) => {
    if (value.length > 0) out = out.split(value).join(PLACEHOLDERS[k]);
  });
  return out;
}

/** The inverse of templateText (the page's script does the same). */
export function expandText(text: string, values: string[]): string {
  return text.replace(/[\uE000-\uE004]/g, (ch) => values[ch.charCodeAt(0) - 0xe000] ?? '');
}

export interface TableOptions {
  pageSize: number;
  /** More findings than this: passes are counted, not listed. */
  fullTableLimit: number;
  clusterLinkBase?: string;
}

export function tableData(report: ScanReport, options: TableOptions): TableData {
  const total = report.clusters.reduce((sum, c) => sum + c.findings.length, 0);
  const passesCounted = total > options.fullTableLimit;
  const ruleIndex = new Map<string, number>();
  const subIndex = new Map<string, number>();
  const textIndex = new Map<string, number>();
  const data: TableData = {
    rules: [],
    subs: [],
    clusters: [],
    text: [],
    raw: [],
    rows: [],
    pageSize: options.pageSize,
    passesCounted,
    presorted: true,
    ...(options.clusterLinkBase !== undefined ? { clusterLinkBase: options.clusterLinkBase } : {}),
  };
  const intern = (value: string, key = value): number => {
    let i = textIndex.get(key);
    if (i === undefined) {
      i = data.text.length;
      data.text.push(value);
      textIndex.set(key, i);
    }
    return i;
  };
  // A text that could not be templated because it holds placeholder characters itself is kept apart and raw.
  const internTemplate = (value: string, values: string[]): number => {
    const template = templateText(value, values);
    if (template !== value || !PLACEHOLDER.test(value)) return intern(template);
    const i = intern(value, `\u0000raw\u0000${value}`);
    if (!data.raw.includes(i)) data.raw.push(i);
    return i;
  };
  report.clusters.forEach((c, ci) => {
    let si = subIndex.get(c.subscriptionId);
    if (si === undefined) {
      si = data.subs.length;
      data.subs.push(c.subscriptionId);
      subIndex.set(c.subscriptionId, si);
    }
    const values = clusterValues(c);
    let passes = 0;
    for (const f of c.findings) {
      let ri = ruleIndex.get(f.ruleId);
      if (ri === undefined) {
        ri = data.rules.length;
        data.rules.push([f.ruleId, f.title, 0]);
        ruleIndex.set(f.ruleId, ri);
      } else if (!data.rules[ri][1] && f.title) {
        // A report read with its passes thinned leaves their titles empty: take the first title given.
        data.rules[ri][1] = f.title;
      }
      // None given at all (every finding of the rule a thinned pass): the catalog's.
      if (!data.rules[ri][1]) data.rules[ri][1] = RULES_BY_ID.get(f.ruleId)?.title ?? '';
      if (f.status === 'pass') {
        passes += 1;
        data.rules[ri][2] += 1;
        if (passesCounted) continue;
      }
      data.rows.push([
        ci,
        ri,
        Math.max(0, STATUS_ORDER.indexOf(f.status)),
        Math.max(0, SEVERITIES.indexOf(f.severity)),
        internTemplate(f.message ?? '', values),
        internTemplate(f.remediation ?? '', values),
      ]);
    }
    data.clusters.push([
      c.name,
      c.resourceGroup,
      si,
      c.location,
      c.kubernetesVersion,
      internTemplate(c.id, idValues(c)),
      formatTags(c.tags ?? {}),
      passes,
    ]);
  });
  sortRows(data);
  return data;
}

/** The page script's default order: status, severity of fails and exemptions, cluster name and group, rule. */
function sortRows(data: TableData): void {
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  const sevKey = (r: TableData['rows'][number]) => (r[2] === 0 || r[2] === 2 ? r[3] : 9);
  data.rows.sort((a, b) => {
    const ca = data.clusters[a[0]];
    const cb = data.clusters[b[0]];
    return (
      a[2] - b[2] ||
      sevKey(a) - sevKey(b) ||
      collator.compare(ca[0], cb[0]) ||
      collator.compare(ca[1], cb[1]) ||
      a[0] - b[0] ||
      collator.compare(data.rules[a[1]][0], data.rules[b[1]][0])
    );
  });
}

/** The data as the page carries it: JSON, or at fleet scale gzip-compressed JSON in base64. */
export function encodeTableData(
  data: TableData,
  jsonForScript: (value: unknown) => string,
): { encoding: 'json' | 'gzip-base64'; body: string } {
  if (!data.passesCounted) return { encoding: 'json', body: jsonForScript(data) };
  return { encoding: 'gzip-base64', body: gzipSync(JSON.stringify(data), { level: 9 }).toString('base64') };
}

/** The link to a cluster's own page, or undefined without a base. */
export function clusterHref(
  base: string | undefined,
  c: Pick<ClusterReport, 'subscriptionId' | 'resourceGroup' | 'name'>,
): string | undefined {
  if (base === undefined) return undefined;
  const part = (s: string) => encodeURIComponent(s);
  return `${base}/clusters/${part(c.subscriptionId)}/${part(c.resourceGroup)}/${part(c.name)}?format=html`;
}

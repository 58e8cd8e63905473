// The report's charts as plain inline SVG (no library, no script): each chart is an image with a title and a
// description, a legend in text, and its numbers in a table; fills combine colour with a pattern so that colour is
// never the only signal (print in black and white stays readable).
import escapeHtml from 'escape-html';
import { SEVERITIES, type ScanReport, type Severity } from '../../model';

const e = (value: unknown): string => escapeHtml(String(value));
const fmt = new Intl.NumberFormat('en-US');
export const n = (value: number): string => fmt.format(value);

/** A run's summary as stored with the run (for the trend chart). */
export interface RunSummary {
  runId: string;
  finishedAt: string;
  summary: ScanReport['summary'];
  complete?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Fills: one pattern per category, defined once in the page (see PATTERN_DEFS).

interface Fill {
  id: string;
  label: string;
  colour: string;
  /** Overlay drawn in white on the colour: how the category reads without colour. */
  overlay: 'none' | 'stripes' | 'dots' | 'lines' | 'cross' | 'grid';
}

export const SEVERITY_FILLS: Record<Severity, Fill> = {
  critical: { id: 'f-critical', label: 'critical', colour: '#7a0916', overlay: 'none' },
  high: { id: 'f-high', label: 'high', colour: '#c3362b', overlay: 'stripes' },
  medium: { id: 'f-medium', label: 'medium', colour: '#a85400', overlay: 'dots' },
  low: { id: 'f-low', label: 'low', colour: '#2f5f98', overlay: 'lines' },
};

export type SupportClass = 'official' | 'lts' | 'platform' | 'preview' | 'unsupported' | 'unknown';

export const SUPPORT_FILLS: Record<SupportClass, Fill> = {
  official: { id: 'f-official', label: 'supported (official)', colour: '#1f7a34', overlay: 'none' },
  lts: { id: 'f-lts', label: 'Long Term Support', colour: '#00695c', overlay: 'lines' },
  platform: { id: 'f-platform', label: 'platform support only', colour: '#a85400', overlay: 'dots' },
  preview: { id: 'f-preview', label: 'preview only', colour: '#6a3d9a', overlay: 'stripes' },
  unsupported: { id: 'f-unsupported', label: 'out of support', colour: '#7a0916', overlay: 'cross' },
  unknown: { id: 'f-unknown', label: 'unknown', colour: '#6b6b6b', overlay: 'grid' },
};

type AgeClass = 'fresh' | 'stale' | 'old' | 'nodate';
const AGE_FILLS: Record<AgeClass, Fill> = {
  fresh: { id: 'f-fresh', label: 'within the age limit', colour: '#1f7a34', overlay: 'none' },
  stale: { id: 'f-stale', label: 'older than the limit (medium)', colour: '#a85400', overlay: 'dots' },
  old: { id: 'f-old', label: 'older than 90 days (high)', colour: '#7a0916', overlay: 'cross' },
  nodate: { id: 'f-nodate', label: 'no recognisable date (unknown)', colour: '#6b6b6b', overlay: 'grid' },
};

function patternDef(fill: Fill): string {
  const bg = `<rect width="8" height="8" fill="${fill.colour}"/>`;
  const w = 'fill="#fff" fill-opacity="0.6"';
  const overlay: Record<Fill['overlay'], string> = {
    none: '',
    stripes: `<rect x="0" y="0" width="2.5" height="8" ${w}/>`,
    dots: `<circle cx="4" cy="4" r="1.6" ${w}/>`,
    lines: `<rect x="0" y="3" width="8" height="2" ${w}/>`,
    cross: `<rect x="3" y="0" width="2" height="8" ${w}/><rect x="0" y="3" width="8" height="2" ${w}/>`,
    grid: `<rect x="0" y="0" width="8" height="1.2" ${w}/><rect x="0" y="0" width="1.2" height="8" ${w}/>`,
  };
  const transform = fill.overlay === 'stripes' || fill.overlay === 'cross' ? ' patternTransform="rotate(45)"' : '';
  return `<pattern id="${fill.id}" width="8" height="8" patternUnits="userSpaceOnUse"${transform}>${bg}${overlay[fill.overlay]}</pattern>`;
}

/** One hidden SVG holding every pattern; the charts and legends refer to them by id. */
export const PATTERN_DEFS =
  '<svg class="defs" aria-hidden="true" focusable="false"><defs>' +
  [...Object.values(SEVERITY_FILLS), ...Object.values(SUPPORT_FILLS), ...Object.values(AGE_FILLS)]
    .map(patternDef)
    .join('') +
  '</defs></svg>';

function legend(fills: Fill[]): string {
  return (
    '<ul class="legend">' +
    fills
      .map(
        (f) =>
          `<li><svg viewBox="0 0 18 12" aria-hidden="true" focusable="false"><rect width="18" height="12" fill="url(#${f.id})"/></svg>${e(f.label)}</li>`,
      )
      .join('') +
    '</ul>'
  );
}

function dataTable(caption: string, head: string[], rows: (string | number)[][]): string {
  return (
    `<details class="data"><summary>Show the numbers</summary><table class="small"><caption>${e(caption)}</caption>` +
    '<thead><tr>' +
    head.map((h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ''}>${e(h)}</th>`).join('') +
    '</tr></thead><tbody>' +
    rows
      .map(
        (r) =>
          '<tr>' +
          r
            .map((c, i) =>
              i === 0 ? `<th scope="row">${e(c)}</th>` : `<td class="num">${typeof c === 'number' ? n(c) : e(c)}</td>`,
            )
            .join('') +
          '</tr>',
      )
      .join('') +
    '</tbody></table></details>'
  );
}

function svgOpen(id: string, width: number, height: number, title: string, desc: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d" ` +
    `xmlns="http://www.w3.org/2000/svg"><title id="${id}-t">${e(title)}</title><desc id="${id}-d">${e(desc)}</desc>`
  );
}

function text(x: number, y: number, value: string, attrs = ''): string {
  const size = /font-size=/.test(attrs) ? '' : ' font-size="11"';
  return `<text x="${r(x)}" y="${r(y)}"${size}${attrs ? ' ' + attrs : ''}>${e(value)}</text>`;
}

function r(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** An axis for counts: whole-number ticks at a 1/2/5 x 10^k step, at most five intervals, covering `max`. */
function axis(max: number): { max: number; ticks: number[] } {
  const target = Math.max(1, max) / 4;
  const p = 10 ** Math.floor(Math.log10(target));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((v) => v >= target) ?? 10 * p);
  const top = Math.max(step, Math.ceil(Math.max(1, max) / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(Math.round(v));
  return { max: top, ticks };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Fails by rule and severity (horizontal stacked bars)

export function failsByRuleChart(report: ScanReport): string {
  const byRule = new Map<string, Record<Severity, number>>();
  for (const c of report.clusters) {
    for (const f of c.findings) {
      if (f.status !== 'fail') continue;
      const row = byRule.get(f.ruleId) ?? { critical: 0, high: 0, medium: 0, low: 0 };
      row[f.severity] += 1;
      byRule.set(f.ruleId, row);
    }
  }
  const total = (row: Record<Severity, number>) => SEVERITIES.reduce((s, sev) => s + row[sev], 0);
  const rows = [...byRule.entries()].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
  if (rows.length === 0) return '<p class="note">No fails in this run.</p>';
  const width = 640;
  const labelW = 232;
  const barH = 18;
  const gap = 9;
  const top = 26;
  const plotW = width - labelW - 40;
  const height = top + rows.length * (barH + gap) + 10;
  const ax = axis(Math.max(...rows.map(([, row]) => total(row))));
  const max = ax.max;
  const parts: string[] = [
    svgOpen(
      'chart-rules',
      width,
      height,
      'Fails by rule and severity',
      `${rows.length} rules with fails; the longest bar is ${rows[0][0]} with ${total(rows[0][1])} fails.`,
    ),
  ];
  for (const t of ax.ticks) {
    const x = labelW + (t / max) * plotW;
    parts.push(
      `<line x1="${r(x)}" y1="${top - 6}" x2="${r(x)}" y2="${height - 6}" stroke="#d6d6d6" stroke-width="1"/>`,
      text(x, top - 10, n(t), 'text-anchor="middle" fill="#575757"'),
    );
  }
  rows.forEach(([ruleId, row], i) => {
    const y = top + i * (barH + gap);
    parts.push(text(labelW - 8, y + barH - 4, ruleId, 'text-anchor="end"'));
    let x = labelW;
    for (const sev of SEVERITIES) {
      if (row[sev] === 0) continue;
      const w = (row[sev] / max) * plotW;
      parts.push(
        `<rect x="${r(x)}" y="${y}" width="${r(w)}" height="${barH}" fill="url(#${SEVERITY_FILLS[sev].id})" ` +
          `stroke="#fff" stroke-width="0.5"><title>${e(`${ruleId}: ${row[sev]} ${sev}`)}</title></rect>`,
      );
      x += w;
    }
    parts.push(text(x + 6, y + barH - 4, n(total(row)), 'font-weight="600"'));
  });
  parts.push('</svg>');
  return (
    '<figure>' +
    parts.join('') +
    legend(SEVERITIES.map((s) => SEVERITY_FILLS[s])) +
    dataTable(
      'Fails by rule and severity',
      ['rule', ...SEVERITIES, 'total'],
      rows.map(([ruleId, row]) => [ruleId, ...SEVERITIES.map((s) => row[s]), total(row)]),
    ) +
    '</figure>'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Clusters by Kubernetes minor against the supported window

function minorParts(minor: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(minor.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compareMinors(a: string, b: string): number {
  const pa = minorParts(a) ?? [Infinity, Infinity];
  const pb = minorParts(b) ?? [Infinity, Infinity];
  return pa[0] - pb[0] || pa[1] - pb[1] || a.localeCompare(b);
}

function supportClass(status: string | undefined, supportedBy: unknown): SupportClass {
  if (status === 'pass') return supportedBy === 'AKSLongTermSupport' ? 'lts' : 'official';
  if (status === 'fail' || status === 'exempt') {
    if (supportedBy === 'platformSupport') return 'platform';
    if (supportedBy === 'preview') return 'preview';
    return 'unsupported';
  }
  return 'unknown';
}

const SUPPORT_ORDER: SupportClass[] = ['official', 'lts', 'platform', 'preview', 'unsupported', 'unknown'];

export function versionChart(report: ScanReport): string {
  const byMinor = new Map<string, Record<SupportClass, number>>();
  const windows = new Map<string, number>();
  for (const c of report.clusters) {
    const f = c.findings.find((x) => x.ruleId === 'aks_version_supported');
    const d = (f?.details ?? {}) as Record<string, unknown>;
    const fromVersion = c.kubernetesVersion ? minorParts(c.kubernetesVersion) : undefined;
    const minor =
      typeof d.minor === 'string' && d.minor
        ? d.minor
        : fromVersion
          ? `${fromVersion[0]}.${fromVersion[1]}`
          : 'unknown';
    const cls = supportClass(f?.status, d.supportedBy);
    const row = byMinor.get(minor) ?? { official: 0, lts: 0, platform: 0, preview: 0, unsupported: 0, unknown: 0 };
    row[cls] += 1;
    byMinor.set(minor, row);
    if (typeof d.oldestSupportedMinor === 'string' && typeof d.newestSupportedMinor === 'string') {
      const key = `${d.oldestSupportedMinor}|${d.newestSupportedMinor}`;
      windows.set(key, (windows.get(key) ?? 0) + 1);
    }
  }
  if (byMinor.size === 0) return '<p class="note">No clusters in this report.</p>';
  // The window most clusters' regions publish; regions that differ are noted below the chart.
  const windowEntries = [...windows.entries()].sort((a, b) => b[1] - a[1]);
  const [oldest, newest] = windowEntries[0]?.[0].split('|') ?? [];
  const minors = new Set(byMinor.keys());
  const o = oldest ? minorParts(oldest) : undefined;
  const nw = newest ? minorParts(newest) : undefined;
  if (o && nw && o[0] === nw[0]) {
    // Show every minor of the window (and the platform-support one below it), even with no cluster on it.
    for (let m = Math.max(0, o[1] - 1); m <= nw[1]; m++) {
      const key = `${o[0]}.${m}`;
      if (!minors.has(key)) {
        minors.add(key);
        byMinor.set(key, { official: 0, lts: 0, platform: 0, preview: 0, unsupported: 0, unknown: 0 });
      }
    }
  }
  const cats = [...minors].sort(compareMinors);
  const total = (row: Record<SupportClass, number>) => SUPPORT_ORDER.reduce((s, k) => s + row[k], 0);
  const width = 640;
  const height = 300;
  const left = 48;
  const top = 46;
  const bottom = 44;
  const plotH = height - top - bottom;
  const plotW = width - left - 16;
  const slot = plotW / cats.length;
  const barW = Math.min(64, slot * 0.6);
  const ax = axis(Math.max(...cats.map((m) => total(byMinor.get(m)!))));
  const max = ax.max;
  const xOf = (i: number) => left + i * slot + slot / 2;
  const parts: string[] = [
    svgOpen(
      'chart-versions',
      width,
      height,
      'Clusters by Kubernetes minor version',
      `${report.clusters.length} clusters on ${byMinor.size} minor versions` +
        (oldest && newest ? `; the supported window is ${oldest} to ${newest}.` : '.'),
    ),
  ];
  const iOld = oldest ? cats.indexOf(oldest) : -1;
  const iNew = newest ? cats.indexOf(newest) : -1;
  if (iOld >= 0 && iNew >= iOld) {
    const x0 = left + iOld * slot + 2;
    const x1 = left + (iNew + 1) * slot - 2;
    parts.push(
      `<rect x="${r(x0)}" y="${top - 40}" width="${r(x1 - x0)}" height="${plotH + 40}" fill="#e6f2e8" stroke="#1f7a34" ` +
        `stroke-dasharray="5 3"/>`,
      text(
        (x0 + x1) / 2,
        top - 26,
        `supported window ${oldest} to ${newest}`,
        'text-anchor="middle" font-weight="600" fill="#145224"',
      ),
    );
  }
  for (const t of ax.ticks) {
    const y = top + plotH - (t / max) * plotH;
    parts.push(
      `<line x1="${left}" y1="${r(y)}" x2="${width - 16}" y2="${r(y)}" stroke="#d6d6d6" stroke-width="1"/>`,
      text(left - 6, y + 4, n(t), 'text-anchor="end" fill="#575757"'),
    );
  }
  cats.forEach((minor, i) => {
    const row = byMinor.get(minor)!;
    let y = top + plotH;
    for (const cls of SUPPORT_ORDER) {
      if (row[cls] === 0) continue;
      const h = (row[cls] / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${r(xOf(i) - barW / 2)}" y="${r(y)}" width="${r(barW)}" height="${r(h)}" ` +
          `fill="url(#${SUPPORT_FILLS[cls].id})" stroke="#fff" stroke-width="0.5"><title>${e(
            `${minor}: ${row[cls]} ${SUPPORT_FILLS[cls].label}`,
          )}</title></rect>`,
      );
    }
    if (total(row) > 0) parts.push(text(xOf(i), y - 5, n(total(row)), 'text-anchor="middle" font-weight="600"'));
    parts.push(text(xOf(i), top + plotH + 18, minor, 'text-anchor="middle"'));
  });
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 16}" y2="${top + plotH}" stroke="#555"/>`,
    text(
      left + plotW / 2,
      height - 6,
      'Kubernetes minor version (clusters per minor)',
      'text-anchor="middle" fill="#575757"',
    ),
    '</svg>',
  );
  const used = SUPPORT_ORDER.filter((cls) => cats.some((m) => byMinor.get(m)![cls] > 0));
  const otherWindows =
    windowEntries.length > 1
      ? `<p class="note">Some regions publish a different window: ${windowEntries
          .slice(1)
          .map(([k, count]) => `${e(k.replace('|', ' to '))} (${n(count)} clusters)`)
          .join(', ')}.</p>`
      : '';
  return (
    '<figure>' +
    parts.join('') +
    legend(used.map((cls) => SUPPORT_FILLS[cls])) +
    otherWindows +
    dataTable(
      'Clusters by Kubernetes minor version and support',
      ['minor', ...SUPPORT_ORDER.map((c) => SUPPORT_FILLS[c].label), 'total'],
      cats.map((m) => [m, ...SUPPORT_ORDER.map((c) => byMinor.get(m)![c]), total(byMinor.get(m)!)]),
    ) +
    '</figure>'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Node image age distribution (node pools)

const AGE_BUCKETS: { label: string; min: number; max: number }[] = [
  { label: '0-7 d', min: 0, max: 7 },
  { label: '8-14 d', min: 8, max: 14 },
  { label: '15-30 d', min: 15, max: 30 },
  { label: '31-60 d', min: 31, max: 60 },
  { label: '61-90 d', min: 61, max: 90 },
  { label: '91-180 d', min: 91, max: 180 },
  { label: '> 180 d', min: 181, max: Infinity },
];

export function nodeImageChart(report: ScanReport): string {
  const counts = AGE_BUCKETS.map(() => 0);
  let noDate = 0;
  let maxAgeDays: number | undefined;
  let pools = 0;
  for (const c of report.clusters) {
    const f = c.findings.find((x) => x.ruleId === 'aks_node_image_current');
    const d = (f?.details ?? {}) as Record<string, unknown>;
    if (typeof d.maxAgeDays === 'number') maxAgeDays ??= d.maxAgeDays;
    if (Array.isArray(d.pools)) {
      for (const p of d.pools as { ageDays?: unknown }[]) {
        const age = p?.ageDays;
        if (typeof age !== 'number' || !Number.isFinite(age)) continue;
        const i = AGE_BUCKETS.findIndex((b) => age >= b.min && age <= b.max);
        if (i >= 0) {
          counts[i] += 1;
          pools += 1;
        }
      }
    }
    if (Array.isArray(d.unreadablePools)) {
      noDate += d.unreadablePools.length;
      pools += d.unreadablePools.length;
    }
  }
  if (pools === 0) return '<p class="note">No node pool carried a node image version in this report.</p>';
  const limit = maxAgeDays ?? 30;
  const classOf = (b: { min: number; max: number }): AgeClass =>
    b.max <= limit ? 'fresh' : b.min > 90 ? 'old' : 'stale';
  const cats = [...AGE_BUCKETS.map((b, i) => ({ label: b.label, count: counts[i], cls: classOf(b) }))];
  cats.push({ label: 'no date', count: noDate, cls: 'nodate' });
  const width = 640;
  const height = 280;
  const left = 48;
  const top = 22;
  const bottom = 44;
  const plotH = height - top - bottom;
  const plotW = width - left - 16;
  const slot = plotW / cats.length;
  const barW = Math.min(70, slot * 0.62);
  const ax = axis(Math.max(...cats.map((c) => c.count)));
  const max = ax.max;
  const parts: string[] = [
    svgOpen(
      'chart-images',
      width,
      height,
      'Node image age (node pools)',
      `${pools} node pools; ${cats
        .filter((c) => c.cls !== 'fresh')
        .reduce((s, c) => s + c.count, 0)} are older than ${limit} days or carry no date.`,
    ),
  ];
  for (const t of ax.ticks) {
    const y = top + plotH - (t / max) * plotH;
    parts.push(
      `<line x1="${left}" y1="${r(y)}" x2="${width - 16}" y2="${r(y)}" stroke="#d6d6d6" stroke-width="1"/>`,
      text(left - 6, y + 4, n(t), 'text-anchor="end" fill="#575757"'),
    );
  }
  cats.forEach((c, i) => {
    const x = left + i * slot + slot / 2;
    const h = (c.count / max) * plotH;
    const y = top + plotH - h;
    if (c.count > 0) {
      parts.push(
        `<rect x="${r(x - barW / 2)}" y="${r(y)}" width="${r(barW)}" height="${r(h)}" fill="url(#${AGE_FILLS[c.cls].id})">` +
          `<title>${e(`${c.label}: ${c.count} node pools (${AGE_FILLS[c.cls].label})`)}</title></rect>`,
      );
    }
    parts.push(text(x, y - 5, n(c.count), 'text-anchor="middle" font-weight="600"'));
    parts.push(text(x, top + plotH + 18, c.label, 'text-anchor="middle"'));
  });
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 16}" y2="${top + plotH}" stroke="#555"/>`,
    text(
      left + plotW / 2,
      height - 6,
      `Age of the node image (days before the as-of date); limit ${limit} days`,
      'text-anchor="middle" fill="#575757"',
    ),
    '</svg>',
  );
  const used = (['fresh', 'stale', 'old', 'nodate'] as AgeClass[]).filter((cls) =>
    cats.some((c) => c.cls === cls && c.count > 0),
  );
  return (
    '<figure>' +
    parts.join('') +
    legend(used.map((cls) => AGE_FILLS[cls])) +
    dataTable(
      'Node pools by node image age',
      ['age', 'node pools'],
      cats.map((c) => [c.label, c.count]),
    ) +
    '</figure>'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Compliance trend across stored runs

export function trendChart(report: ScanReport, history: RunSummary[] | undefined): string {
  if (!history || history.length === 0) {
    return '<p class="note">No run history was provided: the trend appears when the report is served from the store.</p>';
  }
  const byId = new Map<string, RunSummary>();
  for (const h of history) if (h && h.summary && typeof h.runId === 'string') byId.set(h.runId, h);
  if (!byId.has(report.runId)) {
    byId.set(report.runId, {
      runId: report.runId,
      finishedAt: report.finishedAt,
      summary: report.summary,
      complete: report.complete,
    });
  }
  const runs = [...byId.values()].sort((a, b) => String(a.finishedAt).localeCompare(String(b.finishedAt))).slice(-30);
  const width = 640;
  const height = 292;
  const left = 48;
  const top = 22;
  const bottom = 62;
  const plotH = height - top - bottom;
  const plotW = width - left - 16;
  const slot = plotW / Math.max(runs.length, 4);
  const barW = Math.min(56, slot * 0.6);
  const fails = (s: RunSummary) => SEVERITIES.reduce((sum, sev) => sum + (s.summary.failBySeverity?.[sev] ?? 0), 0);
  const ax = axis(Math.max(1, ...runs.map(fails)));
  const max = ax.max;
  const label = (iso: string) => String(iso).slice(0, 16).replace('T', ' ');
  const every = Math.ceil(runs.length / 8);
  const partialRuns = runs.filter((run) => run.complete === false).length;
  const parts: string[] = [
    svgOpen(
      'chart-trend',
      width,
      height,
      'Fails per run, by severity',
      `${runs.length} runs from ${label(runs[0].finishedAt)} to ${label(runs[runs.length - 1].finishedAt)}; ` +
        `fails went from ${fails(runs[0])} to ${fails(runs[runs.length - 1])}.`,
    ),
  ];
  for (const t of ax.ticks) {
    const y = top + plotH - (t / max) * plotH;
    parts.push(
      `<line x1="${left}" y1="${r(y)}" x2="${width - 16}" y2="${r(y)}" stroke="#d6d6d6" stroke-width="1"/>`,
      text(left - 6, y + 4, n(t), 'text-anchor="end" fill="#575757"'),
    );
  }
  runs.forEach((run, i) => {
    const x = left + i * slot + slot / 2;
    let y = top + plotH;
    for (const sev of SEVERITIES) {
      const count = run.summary.failBySeverity?.[sev] ?? 0;
      if (count === 0) continue;
      const h = (count / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${r(x - barW / 2)}" y="${r(y)}" width="${r(barW)}" height="${r(h)}" fill="url(#${SEVERITY_FILLS[sev].id})" ` +
          `stroke="#fff" stroke-width="0.5"><title>${e(`${run.runId}: ${count} ${sev}`)}</title></rect>`,
      );
    }
    const partial = run.complete === false ? '*' : '';
    if (runs.length <= 12 || i % every === 0 || i === runs.length - 1) {
      parts.push(text(x, y - 5, n(fails(run)) + partial, 'text-anchor="middle" font-weight="600"'));
      const when = label(run.finishedAt);
      parts.push(text(x, top + plotH + 16, when.slice(5, 10), 'text-anchor="middle"'));
      parts.push(text(x, top + plotH + 30, when.slice(11), 'text-anchor="middle" fill="#575757"'));
    }
    if (run.runId === report.runId) {
      parts.push(
        `<rect x="${r(x - slot / 2 + 1)}" y="${top - 4}" width="${r(slot - 2)}" height="${plotH + 42}" fill="none" ` +
          'stroke="#0b5cad" stroke-width="1.5" stroke-dasharray="4 3"/>',
      );
    }
  });
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 16}" y2="${top + plotH}" stroke="#555"/>`,
    text(
      left + plotW / 2,
      height - 4,
      `Run (finished, MM-DD hh:mm UTC); dashed frame: this report${partialRuns ? '; * partial run' : ''}`,
      'text-anchor="middle" fill="#575757"',
    ),
    '</svg>',
  );
  const few = runs.length === 1 ? '<p class="note">One run is stored so far; each scan adds a bar.</p>' : '';
  return (
    '<figure>' +
    parts.join('') +
    legend(SEVERITIES.map((s) => SEVERITY_FILLS[s])) +
    few +
    dataTable(
      'Findings per run',
      ['run', 'finished', 'clusters', 'fail', ...SEVERITIES, 'unknown', 'pass'],
      runs.map((run) => [
        run.runId,
        label(run.finishedAt),
        run.summary.clusters,
        fails(run),
        ...SEVERITIES.map((s) => run.summary.failBySeverity?.[s] ?? 0),
        run.summary.status?.unknown ?? 0,
        run.summary.status?.pass ?? 0,
      ]),
    ) +
    '</figure>'
  );
}

// Chart 2: clusters by Kubernetes minor version, stacked by support class, against the supported window most
// clusters' regions publish (regions that publish another window are noted below it).
import type { ScanReport } from '../../model';
import { SUPPORT_FILLS, legend, type SupportClass } from './fills';
import { axis, dataTable, e, n, r, svgOpen, text } from './svg';

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

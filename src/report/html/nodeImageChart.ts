// Chart 3: node pools by the age of their node image, in day buckets coloured against the rule's age limit.
import type { ScanReport } from '../../model';
import { AGE_FILLS, legend, type AgeClass } from './fills';
import { axis, dataTable, e, n, r, svgOpen, text } from './svg';

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

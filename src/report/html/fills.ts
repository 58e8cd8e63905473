// The charts' fills: one pattern per category, colour combined with a white overlay so that colour is never the only
// signal, defined once in the page (PATTERN_DEFS) and named in each chart's legend.
import type { Severity } from '../../model';
import { e } from './svg';

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

export type AgeClass = 'fresh' | 'stale' | 'old' | 'nodate';
export const AGE_FILLS: Record<AgeClass, Fill> = {
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

export function legend(fills: Fill[]): string {
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

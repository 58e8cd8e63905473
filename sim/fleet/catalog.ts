// Region version catalogs in the listKubernetesVersions wire shape, as AKS would answer on 2026-11-27, consistent
// with the shipped support calendar (src/catalog/support-calendar.json): 1.34..1.36 GA with KubernetesOfficial
// (N..N-2, each also LTS-capable), 1.33 (platform support, one below the oldest official GA) and 1.31/1.32 listed for
// Long Term Support only, 1.37 in preview.
import type { KubernetesVersionWire } from '../../src/model';
import { compareVersions } from './truth';

interface MinorDef {
  minor: string;
  patches: number[];
  plans: string[];
  preview?: boolean;
  isDefault?: boolean;
}

const OFFICIAL = ['KubernetesOfficial', 'AKSLongTermSupport'];
const LTS_ONLY = ['AKSLongTermSupport'];

export const BASE_MINORS: readonly MinorDef[] = [
  { minor: '1.31', patches: [11, 12, 13], plans: LTS_ONLY },
  { minor: '1.32', patches: [7, 8, 9], plans: LTS_ONLY },
  { minor: '1.33', patches: [5, 6, 7], plans: LTS_ONLY },
  { minor: '1.34', patches: [3, 4, 5, 6], plans: OFFICIAL },
  { minor: '1.35', patches: [1, 2, 3, 4], plans: OFFICIAL, isDefault: true },
  { minor: '1.36', patches: [0, 1, 2], plans: OFFICIAL },
  { minor: '1.37', patches: [0], plans: ['KubernetesOfficial'], preview: true },
];

/** Minors the catalog lists as official GA (N..N-2). */
export const OFFICIAL_MINORS = ['1.34', '1.35', '1.36'];
export const PLATFORM_MINOR = '1.33';
export const PREVIEW_MINOR = '1.37';
export const LTS_MINORS = ['1.31', '1.32', '1.33', '1.34', '1.35', '1.36'];

/**
 * How a region's list differs from the base: `lagging` regions have not rolled out the newest patch of each GA minor
 * yet; `noPreview` regions do not offer the preview minor.
 */
export interface RegionVariant {
  lagging: boolean;
  noPreview: boolean;
}

export function regionVariant(regionIndex: number): RegionVariant {
  return { lagging: regionIndex % 5 === 4, noPreview: regionIndex % 7 === 6 };
}

/** A listKubernetesVersions body (`{ values }`) for a region variant. */
export function buildCatalog(variant: RegionVariant): { values: KubernetesVersionWire[] } {
  const defs = BASE_MINORS.filter((d) => !(variant.noPreview && d.preview)).map((d) => ({
    ...d,
    patches: variant.lagging && !d.preview && d.patches.length > 1 ? d.patches.slice(0, -1) : d.patches,
  }));
  const all = defs.flatMap((d) => d.patches.map((p) => `${d.minor}.${p}`)).sort(compareVersions);
  const values: KubernetesVersionWire[] = defs.map((d) => {
    const patchVersions: Record<string, { upgrades: string[] }> = {};
    const next = defs.find((n) => compareVersions(n.minor, d.minor) > 0 && !n.preview);
    for (const p of d.patches) {
      const v = `${d.minor}.${p}`;
      // Upgrades: newer patches of the same minor, then every patch of the next GA minor.
      const upgrades = all.filter(
        (u) => compareVersions(u, v) > 0 && (u.startsWith(`${d.minor}.`) || (next && u.startsWith(`${next.minor}.`))),
      );
      patchVersions[v] = { upgrades };
    }
    const entry: KubernetesVersionWire = { version: d.minor };
    if (d.isDefault) entry.isDefault = true;
    if (d.preview) entry.isPreview = true;
    entry.capabilities = { supportPlan: [...d.plans] };
    entry.patchVersions = patchVersions;
    return entry;
  });
  return { values };
}

/** Patches of a minor in a catalog, oldest first ([] when absent). */
export function catalogPatches(
  catalog: { values: KubernetesVersionWire[] } | null | undefined,
  minor: string,
): string[] {
  const entry = catalog?.values.find((v) => v.version === minor);
  return Object.keys(entry?.patchVersions ?? {}).sort(compareVersions);
}

/** Patch lists for minors no catalog carries (clusters that fell out of support). */
export const RETIRED_PATCHES: Record<string, number[]> = {
  '1.24': [9, 10, 15],
  '1.25': [6, 11, 15],
  '1.26': [3, 6, 10],
  '1.27': [3, 7, 9],
  '1.28': [5, 9, 15],
  '1.29': [4, 9, 14],
  '1.30': [6, 10, 14],
};

/** Newest node images (for agent pool upgrade profiles), keyed `location/image family`. */
export const LATEST_NODE_IMAGES: Record<string, string> = {
  'AKSUbuntu-2204gen2containerd': 'AKSUbuntu-2204gen2containerd-202611.16.0',
  'AKSUbuntu-2404gen2containerd': 'AKSUbuntu-2404gen2containerd-202611.16.0',
  'AKSAzureLinux-V3gen2': 'AKSAzureLinux-V3gen2-202611.16.0',
  'AKSWindows-2022-containerd': 'AKSWindows-2022-containerd-20348.4405.261111',
  'AKSWindows-2019-containerd': 'AKSWindows-2019-containerd-17763.8027.261111',
};

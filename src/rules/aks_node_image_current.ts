import type { RuleContext, RuleOutcome } from '../model';
import { DAY_MS, describe, learn, nodepoolArgs, plural, readPools, shellArg, type DocumentedRule } from './common';

/** Above this age a stale image is high severity, whatever the configured threshold. */
export const NODE_IMAGE_HIGH_AGE_DAYS = 90;

// Linux: `AKSUbuntu-2204gen2containerd-202405.27.0` (YYYYMM.DD.rev at the end).
const LINUX_DATE = /-(\d{4})(\d{2})\.(\d{2})\.\d+$/;
// Windows: `AKSWindows-2022-containerd-20348.2227.240315` (a YYMMDD build segment at the end).
const WINDOWS_DATE = /[.-](\d{2})(\d{2})(\d{2})$/;

interface ImageDate {
  /** Milliseconds since the epoch at 00:00 UTC of the build date. */
  time: number;
  /** YYYY-MM-DD. */
  iso: string;
}

function imageDate(y: number, m: number, d: number): ImageDate | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const time = Date.UTC(y, m - 1, d);
  // Rejects days past the month's end (Date.UTC would roll 2024-02-30 into March).
  if (new Date(time).getUTCDate() !== d) return undefined;
  return { time, iso: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

// Pools of a fleet share a few dozen image versions: each is parsed once.
const parsedDates = new Map<string, ImageDate | null>();

function parseImageDate(version: unknown): ImageDate | undefined {
  if (typeof version !== 'string') return undefined;
  let parsed = parsedDates.get(version);
  if (parsed === undefined) {
    parsed = parseImageText(version) ?? null;
    if (parsedDates.size >= 10_000) parsedDates.clear();
    parsedDates.set(version, parsed);
  }
  return parsed ?? undefined;
}

function parseImageText(version: string): ImageDate | undefined {
  const text = version.trim();
  const linux = LINUX_DATE.exec(text);
  if (linux) return imageDate(Number(linux[1]), Number(linux[2]), Number(linux[3]));
  const windows = WINDOWS_DATE.exec(text);
  if (windows) return imageDate(2000 + Number(windows[1]), Number(windows[2]), Number(windows[3]));
  return undefined;
}

/** The build date a node image version carries, or undefined when it carries no recognisable date. */
export function nodeImageDate(version: unknown): Date | undefined {
  const parsed = parseImageDate(version);
  return parsed ? new Date(parsed.time) : undefined;
}

interface PoolAge {
  name: string;
  nodeImageVersion: string;
  imageDate: string;
  ageDays: number;
}

/** A pool's age with its text for the message (`user1 AKSUbuntu-... (45 days)`). */
interface AgedPool {
  age: PoolAge;
  text: string;
}

// A fleet's pools share a few names and a few thousand images: each (name, image) pair's age and text are made once
// per context and shared by the findings that list it (null: the image carries no date).
const agedPools = new WeakMap<RuleContext, { size: number; byName: Map<string, Map<string, AgedPool | null>> }>();

function agedPool(ctx: RuleContext, name: string, raw: string): AgedPool | null {
  let known = agedPools.get(ctx);
  if (!known || known.size >= 10_000) agedPools.set(ctx, (known = { size: 0, byName: new Map() }));
  let byImage = known.byName.get(name);
  if (!byImage) known.byName.set(name, (byImage = new Map()));
  let aged = byImage.get(raw);
  if (aged === undefined) {
    const date = parseImageText(raw);
    aged = null;
    if (date) {
      // A date after the as-of date (clock skew) counts as brand new, never as negative age.
      const ageDays = Math.max(0, Math.floor((ctx.asOf.getTime() - date.time) / DAY_MS));
      const nodeImageVersion = raw.trim();
      aged = {
        age: { name, nodeImageVersion, imageDate: date.iso, ageDays },
        text: `${name} ${nodeImageVersion} (${plural(ageDays, 'day')})`,
      };
    }
    known.size++;
    byImage.set(raw, aged);
  }
  return aged;
}

export const aksNodeImageCurrent: DocumentedRule = {
  id: 'aks_node_image_current',
  title: 'Every node pool runs a recent node image',
  severity: 'high',
  section: 'node-os-patching',
  rationale:
    'AKS releases node images weekly with the latest OS and runtime security fixes. An old node image means ' +
    'nodes miss those fixes, whatever the OS upgrade channel says.',
  evaluation:
    "Each agent pool's `nodeImageVersion` carries its build date: Linux images end in `YYYYMM.DD.rev` (for example " +
    '`AKSUbuntu-2204gen2containerd-202405.27.0`), Windows images in a `YYMMDD` build segment (for example ' +
    '`AKSWindows-2022-containerd-20348.2227.240315`). The age is the number of whole days before the as-of date. ' +
    'Fail high: any pool older than 90 days. Fail medium: any pool older than ' +
    '`AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS` (default 30). Otherwise unknown when any pool has no recognisable ' +
    'date (never pass), else pass. The message lists the stale pools and their ages. Not applicable: no pools.',
  references: [learn('node-image-upgrade'), learn('auto-upgrade-node-os-image'), learn('node-updates-kured')],
  remediation(cluster, outcome) {
    // Stale pools first; when none is stale, the pools whose image date could not be read.
    const names = (key: string) =>
      Array.isArray(outcome.details?.[key]) ? (outcome.details[key] as { name: string }[]).map((p) => p.name) : [];
    const stale = names('stalePools');
    const pools = stale.length > 0 ? stale : names('unreadablePools');
    if (pools.length === 0)
      return `az aks nodepool list ${nodepoolArgs(cluster)} --query "[].{name:name, nodeImageVersion:nodeImageVersion}" --output table`;
    return pools
      .map((name) => `az aks nodepool upgrade ${nodepoolArgs(cluster)} --name ${shellArg(name)} --node-image-only`)
      .join(' && ');
  },
  evaluate(cluster, ctx): RuleOutcome {
    const pools = readPools(cluster);
    if (!pools.ok) return pools.outcome;
    if (pools.value.length === 0) {
      return { status: 'not_applicable', message: 'The cluster lists no agent pools.', details: {} };
    }
    const ages: PoolAge[] = [];
    const staleAged: AgedPool[] = [];
    const unreadable: { name: string; nodeImageVersion: string | null; problem: string }[] = [];
    for (const { name, pool } of pools.value) {
      const raw = pool.nodeImageVersion;
      const pair = typeof raw === 'string' ? agedPool(ctx, name, raw) : null;
      if (!pair) {
        unreadable.push({
          name,
          nodeImageVersion: typeof raw === 'string' ? raw.slice(0, 200) : null,
          problem: describe(raw),
        });
        continue;
      }
      ages.push(pair.age);
      if (pair.age.ageDays > ctx.nodeImageMaxAgeDays) staleAged.push(pair);
    }
    staleAged.sort((a, b) => b.age.ageDays - a.age.ageDays);
    const stale = staleAged.map((p) => p.age);
    const details = {
      maxAgeDays: ctx.nodeImageMaxAgeDays,
      pools: ages,
      stalePools: stale,
      unreadablePools: unreadable,
    };
    if (stale.length > 0) {
      const high = stale.some((p) => p.ageDays > NODE_IMAGE_HIGH_AGE_DAYS);
      return {
        status: 'fail',
        severity: high ? 'high' : 'medium',
        message: `Node images older than ${ctx.nodeImageMaxAgeDays} days: ${staleAged.map((p) => p.text).join(', ')}.`,
        details,
      };
    }
    if (unreadable.length > 0) {
      return {
        status: 'unknown',
        message:
          'Node image version carries no recognisable date: ' +
          unreadable.map((p) => `${p.name} nodeImageVersion ${p.problem}`).join('; ') +
          '.',
        details: { ...details, field: 'properties.agentPoolProfiles[].nodeImageVersion' },
      };
    }
    const oldest = Math.max(...ages.map((p) => p.ageDays));
    return {
      status: 'pass',
      message: `Every node image is at most ${ctx.nodeImageMaxAgeDays} days old (oldest ${plural(oldest, 'day')}).`,
      details,
    };
  },
};

// The clock crossing midnight between two runs: only findings whose threshold is crossed change (node image age,
// end-of-support horizon), the store records exactly those, alerts name only those at or above the threshold, and run
// IDs stay distinct and in order. The rules' own boundaries are covered by their table-driven tests in src/rules.
//
// Node image age counts whole days between the image date and the as-of date (the contract: "at most N days before
// the as-of date"), so an image turns 31 days old at midnight. The generator's truth measures fractional days; the two
// agree at midnight, so the expectations are its truth at the midnight that starts each run's day.
import type { Timer } from '@azure/functions';
import { timerRunId } from '../../src/functions/nightlyScan';
import { severityRank, type Severity } from '../../src/model';
import { newRunId } from '../../src/scan/runScan';
import { changeModel, truthFor } from '../../sim/fleet/generator';
import { withInClusterOff } from '../../sim/fleet/inCluster';
import type { ImageSpec } from '../../sim/fleet/model';
import { acceptedKeys, diffVerdicts, smallFleet, startFaultEnv, verdicts, type FaultEnv } from './harness';

jest.setTimeout(120_000);

const BEFORE = new Date('2026-11-27T23:59:59Z');
const AFTER = new Date('2026-11-28T00:00:01Z');

function image(date: string): ImageSpec {
  return { kind: 'linux', family: 'AKSUbuntu-2204gen2containerd', date, rev: 0 };
}

// Node images whose age crosses a threshold at midnight (30 -> 31 days: 2026-10-28; 90 -> 91 days: 2026-08-29), and
// two that do not (2026-10-30: 28 -> 29 days; 2026-10-20: 38 -> 39 days).
const PINNED: Record<number, string> = {
  0: '2026-10-28',
  1: '2026-10-28',
  2: '2026-08-29',
  3: '2026-10-30',
  4: '2026-10-20',
};
const generated = changeModel(smallFleet({ seed: 53 }), (model) => {
  for (const [index, date] of Object.entries(PINNED)) {
    for (const pool of model.clusters[Number(index)].pools) pool.image = image(date);
  }
});

function timerAt(at: Date): Timer {
  return {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: at.toISOString(), lastUpdated: at.toISOString() },
  };
}

function truthVerdictsAt(asOf: Date): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [id, rules] of truthFor(generated, asOf)) {
    out.set(
      id,
      Object.fromEntries(
        Object.entries(rules).map(([rule, truth]) => {
          // These runs read nothing inside the clusters.
          const t = withInClusterOff(rule, truth);
          return [rule, t.status === 'fail' ? `fail/${t.severity}` : t.status];
        }),
      ),
    );
  }
  return out;
}

let env: FaultEnv;
afterAll(async () => {
  await env?.stop();
});

it('runs at 23:59:59 and 00:00:01: only crossed thresholds change, in the report, the store and the alerts', async () => {
  env = await startFaultEnv({ generated });
  const before = truthVerdictsAt(new Date('2026-11-27T00:00:00Z'));
  const after = truthVerdictsAt(new Date('2026-11-28T00:00:00Z'));
  const crossed = diffVerdicts(after, before);
  // The pinned images cross at midnight: two at 30 days (pass -> fail medium), one at 90 days (medium -> high).
  // (The pinned clusters' other pools share the date, so the pinned date is the oldest.)
  const imageCrossings = crossed.filter((l) => l.includes('aks_node_image_current'));
  const pinnedIds = Object.keys(PINNED).map((i) => generated.fleet.clusters[Number(i)].id.toLowerCase());
  expect(pinnedIds.map((id) => imageCrossings.some((l) => l.startsWith(`${id} `)))).toEqual([
    true,
    true,
    true,
    false,
    false,
  ]);
  expect(crossed.every((l) => /aks_node_image_current|aks_version_end_of_support_horizon/.test(l))).toBe(true);

  const runBefore = timerRunId(timerAt(BEFORE), BEFORE);
  const runAfter = timerRunId(timerAt(AFTER), AFTER);
  const a = await env.job({ asOf: BEFORE, runId: runBefore });
  expect(diffVerdicts(verdicts(a.report), before)).toEqual([]);
  const keys = acceptedKeys(env).length;
  const b = await env.job({ asOf: AFTER, runId: runAfter });
  expect(diffVerdicts(verdicts(b.report), after)).toEqual([]);

  // The report changed exactly where the truth did.
  expect(diffVerdicts(verdicts(b.report), verdicts(a.report)).sort()).toEqual(crossed.sort());
  // The store wrote exactly those findings, and the history of a crossing cluster shows the step.
  expect(b.run.writes?.latest).toBe(crossed.length);
  const pinned = generated.fleet.clusters[0].id;
  const history = await env.store.getClusterHistory(pinned);
  const last = history?.history.at(-1);
  expect(last?.runId).toBe(runAfter);
  expect(last?.transitions.map((t) => `${t.ruleId} ${t.from} ${t.to}`)).toEqual(['aks_node_image_current pass fail']);
  // The first run's report is still rebuilt as it was.
  expect(diffVerdicts(verdicts((await env.store.getRunReport(runBefore))!), before)).toEqual([]);

  // Alerts: only crossings that end at or above the threshold (high): the 90-day image's raised severity.
  const min = severityRank(env.settings.alertMinSeverity);
  const expected: string[] = [];
  for (const [id, rules] of after) {
    for (const [rule, verdict] of Object.entries(rules)) {
      const was = before.get(id)?.[rule];
      if (verdict === was || !verdict.startsWith('fail/')) continue;
      const severity = verdict.slice(5) as Severity;
      if (severityRank(severity) < min) continue;
      expected.push(`${runAfter}|${id}|${rule}|${was?.startsWith('fail/') ? 'severity_raised' : 'new_fail'}`);
    }
  }
  expect(expected.length).toBeGreaterThan(0);
  expect(acceptedKeys(env).slice(keys).sort()).toEqual(expected.sort());

  // Run IDs: distinct, in time order, listed newest first.
  expect(runBefore < runAfter).toBe(true);
  const runs = (await env.store.listRuns(5)).map((r) => r.runId);
  expect(runs.slice(0, 2)).toEqual([runAfter, runBefore]);
  const adHocBefore = newRunId(BEFORE);
  const adHocAfter = newRunId(AFTER);
  expect(adHocBefore < adHocAfter).toBe(true);
});

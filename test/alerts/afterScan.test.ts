// Pure parts of the scanner side: splitting a large run's alerts, Retry-After, and finding the run history.
import { computeAlertBatch } from '../../src/alerts/alerts';
import { MAX_BATCH_BYTES, splitBatch, type RunHistorySource } from '../../src/alerts/afterScan';
import type { FindingStore } from '../../src/store/findingStore';
import { validateBatch } from '../../src/alerts/batchSchema';
import { parseRetryAfter } from '../../src/alerts/retry';
import { cluster, finding, report } from './reports';

describe('splitBatch', () => {
  it('keeps a small batch whole', () => {
    const batch = computeAlertBatch(undefined, report('r', [cluster('a', [finding('x', 'fail', 'high')])]), {
      minSeverity: 'high',
    });
    expect(splitBatch(batch)).toEqual([batch]);
  });

  it('splits a large first scan into valid parts under the body limit, losing no alert', () => {
    const clusters = Array.from({ length: 2500 }, (_, i) =>
      cluster(`cluster-${i}`, [
        finding('aks_version_supported', 'fail', 'critical', { message: 'm'.repeat(300) }),
        finding('aks_local_accounts_disabled', 'fail', 'high', { message: 'n'.repeat(300) }),
        finding('aks_entra_id_enabled', 'fail', 'high'),
      ]),
    );
    const batch = computeAlertBatch(undefined, report('big', clusters), { minSeverity: 'high' });
    expect(batch.alerts).toHaveLength(7500);
    const parts = splitBatch(batch);
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.entries()) {
      expect(part.part).toEqual({ index: i + 1, count: parts.length });
      expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(validateBatch(JSON.parse(JSON.stringify(part))).ok).toBe(true);
    }
    expect(parts.flatMap((p) => p.alerts.map((a) => a.key))).toEqual(batch.alerts.map((a) => a.key));
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, fractions and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('2.128')).toBe(2128);
    const now = Date.parse('2026-11-27T18:00:00Z');
    expect(parseRetryAfter('Fri, 27 Nov 2026 18:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('store compatibility', () => {
  it('the finding store serves as the run history source (checked by the type checker)', () => {
    const asSource = (store: FindingStore): RunHistorySource => store;
    expect(typeof asSource).toBe('function');
  });
});

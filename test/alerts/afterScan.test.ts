// Pure parts of the scanner side: Retry-After, and the finding store as the run history.
import type { RunHistorySource } from '../../src/alerts/afterScan';
import type { FindingStore } from '../../src/store/findingStore';
import { parseRetryAfter } from '../../src/alerts/retry';

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

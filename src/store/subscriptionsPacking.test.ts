import { packSubscriptions, unpackSubscriptions } from './runs';

describe('packSubscriptions', () => {
  it('packs 10,000 subscription IDs in 22 characters each and reads them back', () => {
    const subs = Array.from(
      { length: 10_000 },
      (_, i) => `${i.toString(16).padStart(8, '0')}-abcd-4ef0-8123-${(i * 7).toString(16).padStart(12, '0')}`,
    );
    const packed = packSubscriptions(subs.map((s) => s.toUpperCase()));
    expect(packed.length).toBe(10_000 * 23 - 1);
    expect(unpackSubscriptions(packed)).toEqual(subs);
    expect(unpackSubscriptions(packSubscriptions(['not-a-guid', subs[0]]))).toEqual(['not-a-guid', subs[0]]);
    expect(unpackSubscriptions(packSubscriptions([]))).toEqual([]);
  });
});

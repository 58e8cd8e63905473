import type { Exemption } from '../model';
import { classifyChange, fieldChanges } from './changes';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const RG = `${SUB}/resourceGroups/rg-one`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-one`;

const base: Exemption = {
  id: 'ex',
  ruleId: 'aks_local_accounts_disabled',
  scope: CLUSTER,
  justification: 'why',
  expiresOn: '2027-01-01T00:00:00.000Z',
  author: 'a',
  createdAt: '2026-11-01T00:00:00.000Z',
};

describe('classifyChange', () => {
  it.each([
    ['created', undefined, base],
    ['removed', base, undefined],
    ['widened', base, { ...base, scope: RG }],
    ['widened', base, { ...base, scope: SUB.toUpperCase() }],
    ['widened', base, { ...base, expiresOn: '2027-02-01T00:00:00.000Z' }],
    ['changed', { ...base, scope: SUB }, { ...base, scope: RG }],
    ['changed', base, { ...base, scope: 'tag:env=prod' }],
    ['changed', base, { ...base, ruleId: 'aks_entra_id_enabled', scope: SUB }],
    ['changed', base, { ...base, justification: 'other' }],
    ['changed', base, { ...base, expiresOn: '2026-12-15T00:00:00.000Z' }],
  ] as const)('%s', (expected, before, after) => {
    expect(classifyChange(before, after)).toBe(expected);
  });
});

describe('fieldChanges', () => {
  it('lists each editable field that differs, with before and after', () => {
    expect(fieldChanges(base, { ...base, scope: RG, justification: 'new', author: 'b' })).toEqual([
      { field: 'scope', before: CLUSTER, after: RG },
      { field: 'justification', before: 'why', after: 'new' },
    ]);
    expect(fieldChanges(undefined, base).map((c) => [c.field, c.before])).toEqual([
      ['ruleId', null],
      ['scope', null],
      ['justification', null],
      ['expiresOn', null],
    ]);
    expect(fieldChanges(base, undefined).every((c) => c.after === null)).toBe(true);
  });
});

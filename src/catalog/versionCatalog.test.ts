import { readExample } from '../../sim/fleet/fixtures';
import { toVersionListWire } from './versionCatalog';

describe('toVersionListWire', () => {
  it('keeps the verbatim KubernetesVersions_List example as it is', () => {
    const example = readExample('aks/KubernetesVersions_List.2025-10-01.json') as {
      responses: { '200': { body: { values: unknown[] } } };
    };
    const body = example.responses['200'].body;
    expect(body.values.length).toBeGreaterThan(2);
    expect(toVersionListWire(body)).toEqual(body.values);
  });

  it('drops entries without a version and fields of the wrong type', () => {
    const wire = toVersionListWire({
      values: [
        null,
        { version: 7 },
        {
          version: '1.31',
          isPreview: 'yes',
          isDefault: true,
          capabilities: { supportPlan: ['KubernetesOfficial', 3, 'AKSLongTermSupport'] },
          patchVersions: { '1.31.2': { upgrades: ['1.31.3', null] }, '1.31.3': null },
        },
      ],
    });
    expect(wire).toEqual([
      {
        version: '1.31',
        isDefault: true,
        capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
        patchVersions: { '1.31.2': { upgrades: ['1.31.3'] }, '1.31.3': {} },
      },
    ]);
  });

  it('reads an answer without values as an empty list', () => {
    expect(toVersionListWire({})).toEqual([]);
    expect(toVersionListWire(undefined)).toEqual([]);
  });
});

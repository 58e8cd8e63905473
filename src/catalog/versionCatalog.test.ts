import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toVersionListWire } from './versionCatalog';

const EXAMPLE = join(
  __dirname,
  '../../../shared/fixtures/azure-api-examples/aks/KubernetesVersions_List.2025-10-01.json',
);

describe('toVersionListWire', () => {
  it('keeps the verbatim KubernetesVersions_List example as it is', () => {
    const body = JSON.parse(readFileSync(EXAMPLE, 'utf8')).responses['200'].body;
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

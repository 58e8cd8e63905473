import { QUERIES, AKS_ACCESS_ROLES } from './queries';

// The language service is a Bridge.NET bundle that installs a global `Kusto` namespace.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@kusto/language-service-next/bridge.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@kusto/language-service-next/Kusto.Language.Bridge.js');

interface KustoDiagnostic {
  Message: string;
  Start: number;
}
interface KustoGlobal {
  Language: {
    KustoCode: {
      Parse(text: string): { GetDiagnostics(): { Count: number; getItem(i: number): KustoDiagnostic } };
    };
  };
}

function diagnostics(query: string): string[] {
  const kusto = (globalThis as unknown as { Kusto: KustoGlobal }).Kusto;
  const list = kusto.Language.KustoCode.Parse(query).GetDiagnostics();
  const out: string[] = [];
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i);
    out.push(`${d.Message} at offset ${d.Start}`);
  }
  return out;
}

describe('Resource Graph queries', () => {
  it.each(Object.entries(QUERIES))('%s parses without diagnostics', (_name, query) => {
    expect(diagnostics(query)).toEqual([]);
  });

  it('the parser does report a broken query (the check can fail)', () => {
    expect(diagnostics('resources | where | project id,').length).toBeGreaterThan(0);
  });

  it('every query keeps id in its projection for stable paging and takes no take/limit', () => {
    for (const query of Object.values(QUERIES)) {
      expect(query).toMatch(/\| project id[,\s]/);
      expect(query).not.toMatch(/\|\s*(take|limit)\b/);
    }
  });

  it('the role assignment query names every AKS-access role GUID', () => {
    for (const guid of Object.keys(AKS_ACCESS_ROLES)) expect(QUERIES.roleAssignments).toContain(`'${guid}'`);
  });
});

import { gunzipSync } from 'node:zlib';
import type { ClusterReport, Finding, ScanReport } from '../../model';
import { buildReport } from '../build';
import { jsonForScript, renderHtml } from '../html';
import { clusterHref, clusterValues, encodeTableData, expandText, tableData, templateText } from './tableData';

function finding(ruleId: string, status: Finding['status'], message: string, remediation = ''): Finding {
  return { ruleId, status, severity: 'high', title: `${ruleId} title`, message, remediation, details: {} };
}

function cluster(i: number, name = `aks-${i}`, rg = `RG-${i % 3}`): ClusterReport {
  const sub = `00000000-0000-0000-0000-00000000000${i % 2}`;
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
  return {
    id,
    name,
    subscriptionId: sub,
    resourceGroup: rg,
    location: 'westeurope',
    kubernetesVersion: '1.31.2',
    tags: {},
    findings: [
      finding('aks_local_accounts_disabled', i % 2 ? 'fail' : 'pass', `${name} keeps local accounts`, `az aks update --resource-group ${rg} --name ${name} --disable-local-accounts`),
      finding('aks_rbac_bindings_use_groups', 'fail', `user at ${id.toLowerCase()} and ${id}`, `az role assignment delete --ids ${id.toLowerCase()}/providers/x`),
      finding('aks_entra_id_enabled', 'pass', 'Entra ID is enabled'),
      finding('aks_entra_id_managed', 'not_applicable', 'no aadProfile'),
    ],
  }; // prettier-ignore
}

function report(clusters: ClusterReport[]): ScanReport {
  return buildReport({
    runId: 'r',
    asOf: new Date('2026-11-27T00:00:00Z'),
    startedAt: new Date('2026-11-27T00:00:00Z'),
    finishedAt: new Date('2026-11-27T00:00:01Z'),
    scope: {},
    complete: true,
    problems: [],
    clusters,
  });
}

describe('report table data', () => {
  it('templates texts with the cluster’s own values and expands them back exactly', () => {
    const tricky = [cluster(1), cluster(2, 'rg', 'rg'), cluster(3, 'a', 'aa'), cluster(4, '1', '00')];
    for (const c of tricky) {
      const values = clusterValues(c);
      for (const f of c.findings) {
        for (const text of [f.message, f.remediation, `${c.name}${c.name}/${c.resourceGroup}`, '']) {
          expect(expandText(templateText(text, values), values)).toBe(text);
        }
      }
    }
    const c = cluster(5);
    const values = clusterValues(c);
    // The same command for two clusters becomes one text.
    expect(templateText(c.findings[0].remediation, values)).toBe(
      templateText(cluster(7, 'aks-7', 'RG-2').findings[0].remediation, clusterValues(cluster(7, 'aks-7', 'RG-2'))),
    );
    // A text that already holds a placeholder character is kept as it is.
    expect(templateText('x\uE001y aks-5', values)).toBe('x\uE001y aks-5');
  });

  it('lists every finding below the limit, and above it every non-pass finding with passes counted', () => {
    const clusters = Array.from({ length: 10 }, (_, i) => cluster(i));
    const full = tableData(report(clusters), { pageSize: 500, fullTableLimit: 1000 });
    expect(full.passesCounted).toBe(false);
    expect(full.rows).toHaveLength(40);
    const fleet = tableData(report(clusters), { pageSize: 500, fullTableLimit: 39, clusterLinkBase: '/api' });
    expect(fleet.passesCounted).toBe(true);
    const passes = clusters.flatMap((c) => c.findings).filter((f) => f.status === 'pass').length;
    expect(fleet.rows).toHaveLength(40 - passes);
    expect(fleet.rows.every((r) => r[2] !== 4)).toBe(true);
    expect(fleet.rules.reduce((s, r) => s + r[2], 0)).toBe(passes);
    expect(fleet.clusters.map((c) => c[7])).toEqual(clusters.map((c) => c.findings.filter((f) => f.status === 'pass').length));
    // Ten clusters' commands are one text each way.
    expect(fleet.text.length).toBeLessThan(10);
    const encoded = encodeTableData(fleet, jsonForScript);
    expect(encoded.encoding).toBe('gzip-base64');
    expect(JSON.parse(gunzipSync(Buffer.from(encoded.body, 'base64')).toString('utf8'))).toEqual(fleet);
    expect(encodeTableData(full, jsonForScript).encoding).toBe('json');
  }); // prettier-ignore

  it('keeps a text holding placeholder characters of its own raw, apart from templates', () => {
    const odd = cluster(1, 'aks-\uE003');
    const plain = cluster(3);
    plain.findings[0].message = `\uE003 keeps local accounts`;
    const data = tableData(report([odd, plain]), { pageSize: 500, fullTableLimit: 1000 });
    const shown = (ci: number, ri: number): string => {
      const row = data.rows.find((r) => r[0] === ci && r[1] === ri)!;
      const c = [odd, plain][ci];
      return data.raw.includes(row[4]) ? data.text[row[4]] : expandText(data.text[row[4]], clusterValues(c));
    };
    expect(shown(0, 0)).toBe(odd.findings[0].message);
    expect(shown(1, 0)).toBe('\uE003 keeps local accounts');
    expect(data.raw.length).toBeGreaterThan(0);
    // The cluster's ID is a template of its own names.
    expect(expandText(data.text[data.clusters[1][5]], ['', '', plain.resourceGroup, plain.name, plain.subscriptionId])).toBe(plain.id);
  }); // prettier-ignore

  it('puts rows in the page’s default order: what needs attention first, then cluster and rule', () => {
    const clusters = [cluster(3, 'b-aks'), cluster(1, 'a-aks10'), cluster(2, 'a-aks9')];
    const data = tableData(report(clusters), { pageSize: 500, fullTableLimit: 1000 });
    expect(data.presorted).toBe(true);
    const seen = data.rows.map((r) => `${r[2]} ${data.clusters[r[0]][0]} ${data.rules[r[1]][0]}`);
    expect(seen.slice(0, 4)).toEqual([
      '0 a-aks9 aks_rbac_bindings_use_groups',
      '0 a-aks10 aks_local_accounts_disabled',
      '0 a-aks10 aks_rbac_bindings_use_groups',
      '0 b-aks aks_local_accounts_disabled',
    ]);
    expect(data.rows.map((r) => r[2])).toEqual([...data.rows.map((r) => r[2])].sort((a, b) => a - b));
  });

  it('links a cluster to its own page with each part encoded', () => {
    expect(clusterHref('/api', { subscriptionId: 's', resourceGroup: 'rg (x)', name: 'a' })).toBe(
      '/api/clusters/s/rg%20(x)/a?format=html',
    );
    expect(clusterHref(undefined, { subscriptionId: 's', resourceGroup: 'r', name: 'a' })).toBeUndefined();
  });

  it('renders the fleet-scale page with the findings by rule and links, and no passing row', () => {
    const clusters = Array.from({ length: 10 }, (_, i) => cluster(i));
    const html = renderHtml(report(clusters), { fullTableLimit: 39, clusterLinkBase: '..' });
    expect(html).toContain('id="h-by-rule"');
    expect(html).toContain('data-encoding="gzip-base64"');
    expect(html).toContain('<a href="../clusters/00000000-0000-0000-0000-000000000001/RG-1/aks-1?format=html">');
    const body = html.slice(html.indexOf('<tbody id="findings-body">'), html.indexOf('</tbody>', html.indexOf('<tbody id="findings-body">')));
    expect(body).not.toContain('st-pass');
    expect(body.match(/<tr>/g)).toHaveLength(25);
    expect(html).toContain('counted, not listed');
  }); // prettier-ignore
});

// The alert batch store on Azurite: a run's batch is kept whole (large ones over several entities), written once,
// and read back checked.
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { computeAlertBatch } from '../../src/alerts/alerts';
import { validateBatch } from '../../src/alerts/batchSchema';
import { AlertBatchStore, gzipJson } from '../../src/store/alertBatches';
import { startAzurite, type Azurite } from '../harness/azurite';
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import { cluster, finding, report } from '../alerts/reports';

let azurite: Azurite;
let store: AlertBatchStore;
beforeAll(async () => {
  azurite = await startAzurite();
  store = new AlertBatchStore(createAzureClients(loadSettings({ AKS_COMPLIANCE_STORAGE: azurite.connectionString })));
}, 60_000);
afterAll(async () => {
  await azurite?.dispose();
});

it('a large first scan (7,500 alerts, varied text) is stored over several entities and read back exactly', async () => {
  const clusters = Array.from({ length: 2500 }, (_, i) =>
    cluster(`cluster-${i}`, [
      finding('aks_version_supported', 'fail', 'critical', { message: `${i} `.repeat(150) + 'ü😀' }),
      finding('aks_local_accounts_disabled', 'fail', 'high', { message: Math.random().toString(36).repeat(40) }),
      finding('aks_entra_id_enabled', 'fail', 'high'),
    ]),
  );
  const batch = computeAlertBatch(undefined, report('big-1', clusters), { minSeverity: 'high' });
  expect(batch.alerts).toHaveLength(7500);
  const { header, created } = await store.record(batch);
  expect(created).toBe(true);
  expect(header.alerts).toBe(7500);
  const back = await store.get('big-1');
  expect(back).toEqual(batch);
  expect(validateBatch(back).ok).toBe(true);
}, 60_000);

it('gzips exactly JSON.stringify(batch), a few hundred alerts at a time, whatever text the batch holds', async () => {
  const clusters = Array.from({ length: 700 }, (_, i) =>
    cluster(`c-${i}`, [
      finding('aks_version_supported', 'fail', 'critical', { message: `"quoted" \u2028 \\ ${i} ü😀` }),
    ]),
  );
  const batch = computeAlertBatch(undefined, report('json-1', clusters), { minSeverity: 'high' });
  expect(batch.alerts.length).toBe(700);
  expect(gunzipSync(await gzipJson(batch)).toString('utf8')).toBe(JSON.stringify(batch));
  const empty = { ...batch, alerts: [] };
  expect(gunzipSync(await gzipJson(empty)).toString('utf8')).toBe(JSON.stringify(empty));
  // The marker's own text inside the batch: still the batch's JSON.
  const odd = { ...batch, runId: '\u0000alerts\u0000' };
  expect(gunzipSync(await gzipJson(odd)).toString('utf8')).toBe(JSON.stringify(odd));
});

it('a batch that does not compress (2 MB gzipped) is stored in entities the service accepts and read back', async () => {
  const clusters = Array.from({ length: 3000 }, (_, i) =>
    cluster(`noise-${i}`, [
      finding('aks_version_supported', 'fail', 'critical', { message: randomBytes(600).toString('base64') }),
    ]),
  );
  const batch = computeAlertBatch(undefined, report('noise-1', clusters), { minSeverity: 'high' });
  expect(gzipSync(Buffer.from(JSON.stringify(batch))).length).toBeGreaterThan(1_500_000);
  const { created } = await store.record(batch);
  expect(created).toBe(true);
  expect(await store.get('noise-1')).toEqual(batch);
}, 60_000);

it('a run records its batch once: recording again (a retried run) keeps the first', async () => {
  const one = computeAlertBatch(
    undefined,
    report('once-1', [cluster('a', [finding('aks_version_supported', 'fail', 'critical')])]),
    {
      minSeverity: 'high',
    },
  );
  const empty = computeAlertBatch(undefined, report('once-1', []), { minSeverity: 'high' });
  expect((await store.record(one)).created).toBe(true);
  const again = await store.record(empty);
  expect(again).toMatchObject({ created: false, header: { alerts: 1 } });
  expect((await store.get('once-1'))?.alerts).toHaveLength(1);
  expect(await store.get('never-recorded')).toBeUndefined();
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startLocalAzure, type LocalAzure } from '../harness/localAzure';
import { smallFleet } from './smallFleet';

let local: LocalAzure;
beforeAll(async () => {
  local = await startLocalAzure({ fleet: smallFleet({ clusters: 20 }), azurite: true });
});
afterAll(() => local?.stop());

describe('startLocalAzure', () => {
  it('points settings at the simulator and Azurite', () => {
    expect(local.settings.armEndpoint).toBe(local.sim.armEndpoint);
    expect(local.settings.graphEndpoint).toBe(local.sim.graphEndpoint);
    expect(local.settings.authorityHost).toBe(local.sim.authorityHost);
    expect(local.settings.storage).toEqual({
      kind: 'connectionString',
      connectionString: local.azurite?.connectionString,
    });
  });

  it('round-trips an entity through the TableClient of createAzureClients', async () => {
    const table = local.clients.tableClient('localAzureRoundTrip');
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'run', rowKey: '1', clusters: 20 });
    expect((await table.getEntity<{ clusters: number }>('run', '1')).clusters).toBe(20);
  });

  it('lets a child process trust the simulator through NODE_EXTRA_CA_CERTS', async () => {
    const script = `fetch(process.env.AKS_COMPLIANCE_ARM_ENDPOINT + '/subscriptions?api-version=2022-12-01').then(r => console.log(r.status), e => { console.error(e.cause ?? e); process.exit(1); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', ...local.env },
    });
    // Reached over TLS: refused for the missing token, not for the certificate.
    expect(stdout.trim()).toBe('401');
  });
});

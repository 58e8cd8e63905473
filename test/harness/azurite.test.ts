import { TableClient } from '@azure/data-tables';
import { createAzureClients } from '../../src/azure/clients';
import { loadSettings } from '../../src/config/settings';
import { startAzurite } from './azurite';

describe('Azurite harness', () => {
  it('round-trips an entity through a TableClient from createAzureClients', async () => {
    const azurite = await startAzurite();
    try {
      const clients = createAzureClients(loadSettings({ AKS_COMPLIANCE_STORAGE: azurite.connectionString }));
      const table = clients.tableClient('harnessRoundTrip');
      await table.createTable();
      await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 'x<>"' });
      expect((await table.getEntity<{ value: string }>('p', 'r')).value).toBe('x<>"');
    } finally {
      await azurite.dispose();
    }
  });

  it('keeps data across stop/start on the same port when persistent, and loses it in memory', async () => {
    for (const persistent of [true, false]) {
      const azurite = await startAzurite({ persistent });
      try {
        const port = azurite.port;
        const table = TableClient.fromConnectionString(azurite.connectionString, 'restart', {
          allowInsecureConnection: true,
        });
        await table.createTable();
        await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
        await azurite.stop();
        expect(azurite.running()).toBe(false);
        await expect(table.getEntity('p', 'r')).rejects.toThrow();
        await azurite.start();
        expect(azurite.port).toBe(port);
        if (persistent) expect((await table.getEntity<{ n: number }>('p', 'r')).n).toBe(1);
        else await expect(table.getEntity('p', 'r')).rejects.toMatchObject({ statusCode: 404 });
      } finally {
        await azurite.dispose();
      }
    }
  });

  it('starts the queue service too when asked', async () => {
    const azurite = await startAzurite({ queues: true });
    try {
      expect(azurite.queuePort).toBeGreaterThan(0);
      expect(azurite.connectionString).toContain(
        `QueueEndpoint=http://127.0.0.1:${azurite.queuePort}/devstoreaccount1`,
      );
      const res = await fetch(`http://127.0.0.1:${azurite.queuePort}/devstoreaccount1?comp=list`);
      // Unsigned request: refused, but by a live queue service.
      expect([200, 403]).toContain(res.status);
    } finally {
      await azurite.dispose();
    }
  });
});

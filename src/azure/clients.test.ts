import { ConfigError, loadSettings } from '../config/settings';
import { createAzureClients } from './clients';

describe('createAzureClients', () => {
  it('builds every client from settings without network access', () => {
    const settings = loadSettings({
      AZURE_CLOUD: 'AzureChinaCloud',
      AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      AZURE_CLIENT_SECRET: 'x',
      AKS_COMPLIANCE_STORAGE:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;',
    });
    const clients = createAzureClients(settings);
    expect(clients.containerService('S1')).toBe(clients.containerService('s1'));
    expect(clients.tableClient('runs').url).toBe('http://127.0.0.1:1/devstoreaccount1');
    expect(clients.graph).toBeDefined();
    expect(clients.resourceGraph).toBeDefined();
  });

  it('throws ConfigError for tables when storage is not configured', () => {
    const clients = createAzureClients(loadSettings({}));
    expect(() => clients.tableClient('runs')).toThrow(ConfigError);
    expect(() => clients.tableClient('runs')).toThrow(/AKS_COMPLIANCE_STORAGE/);
  });
});

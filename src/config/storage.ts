// Where the store lives: AKS_COMPLIANCE_STORAGE or the Functions storage (a connection string, a table service URL,
// or identity-based AzureWebJobsStorage__tableServiceUri / __accountName), validated without repeating a secret.
import { CLOUDS, type CloudName } from './clouds';
import { ConfigError, describeValue, parseUrl, read, type Env } from './values';

export type StorageSetting = { kind: 'connectionString'; connectionString: string } | { kind: 'url'; url: string };

export function parseStorage(env: Env, cloud: CloudName): StorageSetting | undefined {
  const own = read(env, 'AKS_COMPLIANCE_STORAGE');
  const name = own !== undefined ? 'AKS_COMPLIANCE_STORAGE' : 'AzureWebJobsStorage';
  const value = own ?? read(env, 'AzureWebJobsStorage');
  if (value === undefined) {
    // Identity-based Functions storage (AzureWebJobsStorage__tableServiceUri / __accountName).
    const tableUri = read(env, 'AzureWebJobsStorage__tableServiceUri');
    if (tableUri) {
      return { kind: 'url', url: parseUrl('AzureWebJobsStorage__tableServiceUri', tableUri, { httpsOnly: false }) };
    }
    const account = read(env, 'AzureWebJobsStorage__accountName');
    if (account) {
      if (!/^[a-z0-9]{3,24}$/.test(account)) {
        throw new ConfigError(
          `AzureWebJobsStorage__accountName is not a storage account name: ${describeValue(account)}`,
          'AzureWebJobsStorage__accountName',
        );
      }
      return { kind: 'url', url: `https://${account}.table.${CLOUDS[cloud].storageSuffix}` };
    }
    return undefined;
  }
  if (/^https?:\/\//i.test(value)) return { kind: 'url', url: parseUrl(name, value, { httpsOnly: false }) };
  if (value.startsWith('@Microsoft.KeyVault(')) {
    throw new ConfigError(
      `${name} is an unresolved Key Vault reference: grant the app's identity access to the secret`,
      name,
    );
  }
  if (/^UseDevelopmentStorage=true;?$/i.test(value)) return { kind: 'connectionString', connectionString: value };
  const pairs = value.split(';').filter((p) => p.trim() !== '');
  const keys = new Set(pairs.map((p) => p.slice(0, p.indexOf('=')).trim().toLowerCase()));
  if (pairs.some((p) => p.indexOf('=') <= 0)) {
    throw new ConfigError(
      `${name} is neither a storage connection string (Key=Value;...) nor a table service URL`,
      name,
    );
  }
  const hasEndpoint = keys.has('tableendpoint') || keys.has('accountname');
  const hasSecret = keys.has('accountkey') || keys.has('sharedaccesssignature');
  if (!hasEndpoint || !hasSecret) {
    throw new ConfigError(
      `${name} connection string needs AccountName (or TableEndpoint) and AccountKey (or SharedAccessSignature)`,
      name,
    );
  }
  return { kind: 'connectionString', connectionString: value };
}

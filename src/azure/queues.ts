// Storage Queue clients on the product's storage account (the one its tables live in): a connection string (Azurite
// locally) or, with a table service URL, the queue service of the same account with the app's credential.
import type { TokenCredential } from '@azure/core-auth';
import { QueueClient } from '@azure/storage-queue';
import { ConfigError, type Settings } from '../config/settings';

/** The queue service URL of the account a table service URL names (`.table.` -> `.queue.`). */
export function queueServiceUrl(tableServiceUrl: string): string {
  const url = new URL(tableServiceUrl);
  if (!/\.table\./i.test(url.hostname)) {
    throw new ConfigError(
      `the storage setting ${url.origin} is not a table service URL of an account (<account>.table.<suffix>): the queue service cannot be derived from it`,
      'AKS_COMPLIANCE_STORAGE',
    );
  }
  url.hostname = url.hostname.replace(/\.table\./i, '.queue.');
  return url.origin;
}

export function createQueueClient(settings: Settings, credential: TokenCredential, queueName: string): QueueClient {
  const storage = settings.storage;
  if (!storage) {
    throw new ConfigError(
      'Storage is not configured: set AKS_COMPLIANCE_STORAGE or AzureWebJobsStorage (a connection string or a table service URL)',
      'AKS_COMPLIANCE_STORAGE',
    );
  }
  if (storage.kind === 'url') return new QueueClient(`${queueServiceUrl(storage.url)}/${queueName}`, credential);
  if (/^UseDevelopmentStorage=true;?$/i.test(storage.connectionString)) {
    return new QueueClient(storage.connectionString, queueName);
  }
  const explicit = /(^|;)\s*(TableEndpoint|BlobEndpoint)\s*=/i.test(storage.connectionString);
  if (
    !/(^|;)\s*QueueEndpoint\s*=/i.test(storage.connectionString) &&
    (explicit || !/(^|;)\s*AccountName\s*=/i.test(storage.connectionString))
  ) {
    throw new ConfigError(
      'the storage connection string names no queue service (QueueEndpoint or AccountName): on-demand scans are queued there',
      'AKS_COMPLIANCE_STORAGE',
    );
  }
  return new QueueClient(storage.connectionString, queueName);
}

// The one place that builds the credential and the Azure SDK clients, all from Settings: endpoints, token scopes and
// the authority host follow the configured cloud (or its overrides), so sovereign clouds and private endpoints work
// without code changes.
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import type { QueueClient } from '@azure/storage-queue';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { ConfigError, isMicrosoftAuthorityHost, type Settings } from '../config/settings';
import { createQueueClient } from './queues';
import { AKS_API_VERSION } from './apiVersions';

export interface AzureClients {
  credential: TokenCredential;
  resourceGraph: ResourceGraphClient;
  /** One client per subscription, created on first use and reused. */
  containerService(subscriptionId: string): ContainerServiceClient;
  graph: Client;
  /**
   * Microsoft Graph of another tenant (AKS_COMPLIANCE_TENANTS: an Azure Lighthouse customer whose directory the
   * identity may read), signed in to that tenant; undefined for a tenant that is not configured.
   */
  graphFor?(tenantId: string): Client | undefined;
  /** Throws ConfigError when no storage is configured. */
  tableClient(tableName: string): TableClient;
  /** A Storage Queue of the same account as the tables (createQueueClient in queues.ts). */
  queueClient(queueName: string): QueueClient;
}

export interface CreateAzureClientsOptions {
  /** Use this credential instead of the one the settings describe. */
  credential?: TokenCredential;
}

// Host names the Graph client sends tokens to without being told.
const GRAPH_CLIENT_KNOWN_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'graph.microsoft.de',
  'microsoftgraph.chinacloudapi.cn',
  'canary.graph.microsoft.com',
]);

/**
 * Service principal sign-in when AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET are set; otherwise the
 * managed identity (AZURE_CLIENT_ID = a user-assigned identity) followed by developer sign-in (Azure CLI, ...).
 */
export function createCredential(settings: Settings): TokenCredential {
  // MSAL cannot discover a non-Microsoft authority (Azure Stack, a private cloud, a simulator): it reads the
  // authority's OpenID configuration directly instead.
  const disableInstanceDiscovery = !isMicrosoftAuthorityHost(settings.authorityHost);
  // Tokens for the configured other tenants (their Graph) are asked for with getToken's tenantId option.
  const additionallyAllowedTenants = settings.tenants ?? [];
  if (settings.tenantId && settings.clientId && settings.clientSecret) {
    return new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret, {
      authorityHost: settings.authorityHost,
      disableInstanceDiscovery,
      additionallyAllowedTenants,
    });
  }
  return new DefaultAzureCredential({
    authorityHost: settings.authorityHost,
    disableInstanceDiscovery,
    tenantId: settings.tenantId,
    managedIdentityClientId: settings.clientId,
    additionallyAllowedTenants,
  });
}

export function createAzureClients(settings: Settings, options: CreateAzureClientsOptions = {}): AzureClients {
  const credential = options.credential ?? createCredential(settings);
  // The SDKs default to the public cloud's scope whatever the endpoint: always pass the configured one.
  const armScopes = [`${settings.armEndpoint}/.default`];

  const resourceGraph = new ResourceGraphClient(credential, {
    endpoint: settings.armEndpoint,
    credentials: { scopes: armScopes },
    // ResourceGraphReader retries 429/5xx/dropped connections itself, honouring the quota headers; the SDK's own
    // retries underneath would multiply every attempt (a page that stays down took 24 requests instead of 6).
    retryOptions: { maxRetries: 0 },
  });

  const containerServiceClients = new Map<string, ContainerServiceClient>();
  const containerService = (subscriptionId: string): ContainerServiceClient => {
    const key = subscriptionId.toLowerCase();
    let client = containerServiceClients.get(key);
    if (!client) {
      client = new ContainerServiceClient(credential, subscriptionId, {
        endpoint: settings.armEndpoint,
        credentials: { scopes: armScopes },
        // Pinned: the SDK's own default moves with every release.
        apiVersion: AKS_API_VERSION,
      });
      containerServiceClients.set(key, client);
    }
    return client;
  };

  const graphHost = new URL(settings.graphEndpoint).hostname.toLowerCase();
  const makeGraph = (tenantId?: string): Client =>
    Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(credential, {
        scopes: [`${settings.graphEndpoint}/.default`],
        ...(tenantId ? { getTokenOptions: { tenantId } } : {}),
      }),
      baseUrl: `${settings.graphEndpoint}/`,
      // The Graph client silently sends no token to hosts it does not know.
      ...(GRAPH_CLIENT_KNOWN_HOSTS.has(graphHost) ? {} : { customHosts: new Set([graphHost]) }),
    });
  const graph = makeGraph();
  const tenantGraphs = new Map<string, Client>();
  const graphFor = (tenantId: string): Client | undefined => {
    const key = tenantId.trim().toLowerCase();
    if (!(settings.tenants ?? []).includes(key)) return undefined;
    let client = tenantGraphs.get(key);
    if (!client) tenantGraphs.set(key, (client = makeGraph(key)));
    return client;
  };

  const tableClient = (tableName: string): TableClient => {
    const storage = settings.storage;
    if (!storage) {
      throw new ConfigError(
        'Table Storage is not configured: set AKS_COMPLIANCE_STORAGE or AzureWebJobsStorage (a connection string or a table service URL)',
        'AKS_COMPLIANCE_STORAGE',
      );
    }
    if (storage.kind === 'url') {
      return new TableClient(storage.url, tableName, credential, {
        allowInsecureConnection: storage.url.toLowerCase().startsWith('http:'),
      });
    }
    // Azurite and other local emulators listen on plain http.
    const insecure =
      /(^|;)\s*(TableEndpoint|BlobEndpoint)\s*=\s*http:/i.test(storage.connectionString) ||
      /DefaultEndpointsProtocol\s*=\s*http(;|$)/i.test(storage.connectionString);
    return TableClient.fromConnectionString(storage.connectionString, tableName, {
      allowInsecureConnection: insecure,
    });
  };

  const queueClient = (queueName: string): QueueClient => createQueueClient(settings, credential, queueName);

  return { credential, resourceGraph, containerService, graph, graphFor, tableClient, queueClient };
}

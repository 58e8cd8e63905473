// The Azure clouds: each one's Resource Manager, Microsoft Graph, sign-in and storage endpoints, which cloud a
// deployment is in (AZURE_CLOUD), and which sign-in hosts are Microsoft's own.
import { ConfigError, describeValue, read, type Env } from './values';

export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface CloudEndpoints {
  armEndpoint: string;
  graphEndpoint: string;
  authorityHost: string;
  /** DNS suffix of storage endpoints, for identity-based storage given by account name. */
  storageSuffix: string;
}

export const CLOUDS: Record<CloudName, CloudEndpoints> = {
  AzureCloud: {
    armEndpoint: 'https://management.azure.com',
    graphEndpoint: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    storageSuffix: 'core.windows.net',
  },
  AzureUSGovernment: {
    armEndpoint: 'https://management.usgovcloudapi.net',
    graphEndpoint: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    storageSuffix: 'core.usgovcloudapi.net',
  },
  AzureChinaCloud: {
    armEndpoint: 'https://management.chinacloudapi.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    storageSuffix: 'core.chinacloudapi.cn',
  },
};

export function parseCloud(env: Env): CloudName {
  const raw = read(env, 'AZURE_CLOUD');
  if (raw === undefined) return 'AzureCloud';
  const match = (Object.keys(CLOUDS) as CloudName[]).find((c) => c.toLowerCase() === raw.toLowerCase());
  if (!match) {
    throw new ConfigError(
      `AZURE_CLOUD must be one of ${Object.keys(CLOUDS).join(', ')}, got ${describeValue(raw)}`,
      'AZURE_CLOUD',
    );
  }
  return match;
}

/** Authority hosts MSAL knows; any other host needs instance discovery turned off. */
export const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

export function isMicrosoftAuthorityHost(authorityHost: string): boolean {
  try {
    return MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}

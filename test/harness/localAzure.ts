// Everything a test needs to run the product against local Azure: the simulator (trusted in-process), optionally
// Azurite, the settings environment pointing at both, and the clients built by the product's own factory.
import { createAzureClients, type AzureClients } from '../../src/azure/clients';
import { loadSettings, type Settings } from '../../src/config/settings';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim';
import type { Fleet } from '../../sim/fleet/types';
import { trustCa } from '../../sim/trust';
import { startAzurite, type Azurite, type AzuriteOptions } from './azurite';

export interface LocalAzureOptions {
  fleet: Fleet;
  /** Start Azurite and point AKS_COMPLIANCE_STORAGE at it. */
  azurite?: boolean | AzuriteOptions;
  simulator?: SimulatorOptions;
  /** More settings (e.g. AKS_COMPLIANCE_SUBSCRIPTIONS); they override the generated ones. */
  env?: Record<string, string>;
}

export interface LocalAzure {
  sim: Simulator;
  azurite?: Azurite;
  /** The settings environment (also usable for a child process: it carries NODE_EXTRA_CA_CERTS). */
  env: Record<string, string>;
  settings: Settings;
  clients: AzureClients;
  stop(): Promise<void>;
}

export async function startLocalAzure(options: LocalAzureOptions): Promise<LocalAzure> {
  const sim = await startSimulator(options.fleet, options.simulator);
  let azurite: Azurite | undefined;
  try {
    if (options.azurite) azurite = await startAzurite(options.azurite === true ? {} : options.azurite);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  trustCa(sim.caPem);
  const env: Record<string, string> = {
    ...sim.env,
    ...(azurite ? { AKS_COMPLIANCE_STORAGE: azurite.connectionString } : {}),
    ...(options.env ?? {}),
  };
  const settings = loadSettings(env);
  const clients = createAzureClients(settings);
  return {
    sim,
    azurite,
    env,
    settings,
    clients,
    async stop() {
      await Promise.all([sim.stop(), azurite?.dispose()]);
    },
  };
}

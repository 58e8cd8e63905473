// The delivery queue's function: retries queued alert deliveries (handleDeliveryMessage in notifier.ts). Its options
// are registered by src/functions/alertDelivery.ts; the demo runs the same handler on its local queue host. The
// queue lives in the Functions storage account (`AzureWebJobsStorage`), the account the product's tables and queues
// use unless AKS_COMPLIANCE_STORAGE names another one.
import type { InvocationContext, StorageQueueFunctionOptions } from '@azure/functions';
import { createAzureClients } from '../azure/clients';
import { loadSettings } from '../config/settings';
import { DELIVERY_QUEUE } from './deliveryQueue';
import { handleDeliveryMessage, type NotifierDeps } from './notifier';

let defaults: Omit<NotifierDeps, 'log'> | undefined;

export async function alertDeliveryHandler(
  message: unknown,
  context: InvocationContext,
  deps?: Omit<NotifierDeps, 'log'>,
): Promise<void> {
  if (!deps && !defaults) {
    const settings = loadSettings();
    defaults = { settings, clients: createAzureClients(settings) };
  }
  const outcome = await handleDeliveryMessage({ ...(deps ?? defaults!), log: (line) => context.log(line) }, message);
  context.log(JSON.stringify({ event: 'alertDelivery', outcome, dequeueCount: context.triggerMetadata?.dequeueCount }));
}

export const alertDeliveryOptions: StorageQueueFunctionOptions = {
  queueName: DELIVERY_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: (message, context) => alertDeliveryHandler(message, context),
};

// The on-demand scan worker: a Storage Queue trigger on the scan queue (POST /api/scans puts the requests there). The
// handler lives in src/scan/onDemand.ts; this file only registers it. AzureWebJobsStorage is the same account the
// HTTP function queues to (the infra points AKS_COMPLIANCE_STORAGE at its table service).
import { app, type InvocationContext, type StorageQueueFunctionOptions } from '@azure/functions';
import { defaultHttpDeps } from '../http/common';
import { runQueuedScan, SCAN_QUEUE } from '../scan/onDemand';

export const scanQueueOptions: StorageQueueFunctionOptions = {
  queueName: SCAN_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: (entry: unknown, context: InvocationContext) => runQueuedScan(entry, context, defaultHttpDeps()),
};

app.storageQueue('scanQueue', scanQueueOptions);

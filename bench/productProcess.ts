// Child process entry of the benchmark's product side (dist/bench/productProcess.js), started with the function
// app's Node arguments: the scans run here, so the benchmark measures the deployed worker's memory. Requests come
// over IPC as { id, op, args }; log lines go back as { log }.
import { answerRequests, type ChildRequest } from './ipcChild';
import { startProductHost, type ProductHost, type ProductStart } from './productHost';

type Request = ChildRequest<'start' | 'scan' | 'inClusterPass' | 'reportHtml' | 'stop'>;

let host: ProductHost | undefined;

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'start':
      host = await startProductHost(request.args as ProductStart, (line) => process.send?.({ log: line }));
      return { nodeArguments: process.execArgv.join(' ') };
    case 'scan':
      return host!.scan();
    case 'inClusterPass':
      return host!.inClusterPass(request.args as { concurrency: number; timeoutSeconds: number });
    case 'reportHtml':
      return host!.reportHtml(request.args as string);
    case 'stop':
      await host?.stop();
      host = undefined;
      return null;
  }
}

answerRequests(handle);

process.on('disconnect', () => process.exit(0));

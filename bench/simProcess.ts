// Child process entry of the benchmark's simulator (dist/bench/simProcess.js): the fleet and the simulator live here,
// so the benchmark measures the product's process alone. Requests come over IPC as { id, op, args }.
import { answerRequests, type ChildRequest } from './ipcChild';
import { startSimHost, type SimHost, type SimHostStart } from './simHost';

type Request = ChildRequest<'start' | 'counters' | 'reset' | 'mutate' | 'stop'>;

let host: SimHost | undefined;

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'start':
      host = await startSimHost(request.args as SimHostStart);
      return host.info;
    case 'counters':
      return host!.counters();
    case 'reset':
      return host!.reset();
    case 'mutate': {
      const { count, seed } = request.args as { count: number; seed: number };
      return host!.mutate(count, seed);
    }
    case 'stop':
      await host?.stop();
      host = undefined;
      return null;
  }
}

answerRequests(handle);

// The benchmark going away takes the simulator with it.
process.on('disconnect', () => {
  void host?.stop().finally(() => process.exit(0));
  if (!host) process.exit(0);
});

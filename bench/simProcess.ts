// Child process entry of the benchmark's simulator (dist/bench/simProcess.js): the fleet and the simulator live here,
// so the benchmark measures the product's process alone. Requests come over IPC as { id, op, args }.
import { startSimHost, type SimHost, type SimHostStart } from './simHost';

interface Request {
  id: number;
  op: 'start' | 'counters' | 'reset' | 'mutate' | 'stop';
  args?: unknown;
}

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

process.on('message', (message: Request) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (error: unknown) =>
      process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.stack : String(error) }),
  );
});

// The benchmark going away takes the simulator with it.
process.on('disconnect', () => {
  void host?.stop().finally(() => process.exit(0));
  if (!host) process.exit(0);
});

// A local stand-in for the Functions host's Storage Queue trigger (the demo and the tests; the host itself cannot be
// installed here): it receives the queue's messages one at a time, decodes them as the host does (base64, then JSON
// when it parses), hands them to the registered handler with the dequeue count in the trigger metadata, deletes a
// message once handled, and moves one that failed its fifth attempt to `<queue>-poison`, as the host does.
import { InvocationContext } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';

export interface LocalQueueHostOptions {
  queue: QueueClient;
  /** A client for `<queue>-poison` (same account). */
  poison: QueueClient;
  functionName: string;
  handler: (entry: unknown, context: InvocationContext) => Promise<void>;
  log: (line: string) => void;
  /** How long a failed message stays invisible before its next attempt (the host backs off similarly). */
  retryVisibilitySeconds?: number;
  maxDequeueCount?: number;
}

export interface LocalQueueHost {
  /** Handles the next visible message: false when there was none. */
  processNext(): Promise<boolean>;
  /** Handles messages until none is visible; the number handled. */
  drain(): Promise<number>;
  /** Polls every `intervalMs` until stopped. */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

function decode(text: string): unknown {
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(decoded);
  } catch {
    return decoded;
  }
}

export function localQueueHost(options: LocalQueueHostOptions): LocalQueueHost {
  const max = options.maxDequeueCount ?? 5;
  let invocation = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function processNext(): Promise<boolean> {
    await options.queue.createIfNotExists();
    const received = await options.queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 600 });
    const message = received.receivedMessageItems[0];
    if (!message) return false;
    invocation += 1;
    const context = new InvocationContext({
      functionName: options.functionName,
      invocationId: `local-queue-${invocation}`,
      triggerMetadata: { dequeueCount: message.dequeueCount, id: message.messageId },
      logHandler: (level, ...args) =>
        options.log(
          `${options.functionName}: ${level === 'information' ? '' : `${level}: `}${args.map(String).join(' ')}`,
        ),
    });
    try {
      await options.handler(decode(message.messageText), context);
      await options.queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      options.log(`${options.functionName}: attempt ${message.dequeueCount} failed: ${(error as Error).message}`);
      if (message.dequeueCount >= max) {
        await options.poison.createIfNotExists();
        await options.poison.sendMessage(message.messageText);
        await options.queue.deleteMessage(message.messageId, message.popReceipt);
      } else {
        await options.queue.updateMessage(
          message.messageId,
          message.popReceipt,
          undefined,
          options.retryVisibilitySeconds ?? 5,
        );
      }
    }
    return true;
  }

  return {
    processNext,
    async drain() {
      let handled = 0;
      while (await processNext()) handled += 1;
      return handled;
    },
    start(intervalMs = 500) {
      const tick = () => {
        running = processNext()
          .catch((error: unknown) => options.log(`${options.functionName}: ${(error as Error).message}`))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running;
    },
  };
}

// The Functions host's queue trigger for the alert tests, in passes: receives the messages visible now, hands each one's content to the handler as the host does (base64 decoded, JSON parsed), deletes it when
// the handler returns, and after `maxDequeueCount` failed deliveries moves it to `<queue>-poison` (host.json
// `extensions.queues`: maxDequeueCount 5, visibilityTimeout 1 min).
import type { QueueClient } from '@azure/storage-queue';

export interface QueuePumpOptions {
  queue: QueueClient;
  poisonQueue: QueueClient;
  handler: (message: unknown) => Promise<unknown>;
  maxDequeueCount?: number;
  /** Seconds a received message stays invisible while the handler runs (and after it throws). */
  visibilityTimeoutSeconds?: number;
  /** Receive calls (of up to 32 messages each) before returning; default: until the queue shows none. */
  rounds?: number;
}

function content(text: string): unknown {
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return decoded;
  }
}

/** Handles the messages visible now (repeating while any are), returns how many were handled. */
export async function drainQueue(options: QueuePumpOptions): Promise<{ handled: number; failed: number }> {
  const maxDequeue = options.maxDequeueCount ?? 5;
  await options.queue.createIfNotExists();
  let handled = 0;
  let failed = 0;
  for (let round = 0; round < (options.rounds ?? Infinity); round += 1) {
    const { receivedMessageItems: items } = await options.queue.receiveMessages({
      numberOfMessages: 32,
      visibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
    });
    if (items.length === 0) return { handled, failed };
    for (const item of items) {
      if (item.dequeueCount > maxDequeue) {
        await options.poisonQueue.createIfNotExists();
        await options.poisonQueue.sendMessage(item.messageText, { messageTimeToLive: -1 });
        await options.queue.deleteMessage(item.messageId, item.popReceipt);
        continue;
      }
      try {
        await options.handler(content(item.messageText));
        await options.queue.deleteMessage(item.messageId, item.popReceipt);
        handled += 1;
      } catch {
        failed += 1; // stays invisible for the visibility timeout, then comes back (dequeueCount + 1)
      }
    }
  }
  return { handled, failed };
}

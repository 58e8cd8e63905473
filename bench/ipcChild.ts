// The answering side of a benchmark child process (forkChild in run.ts): each { id, op, args } request is handled
// and answered { id, ok, result } or { id, ok: false, error }.
export interface ChildRequest<Op extends string> {
  id: number;
  op: Op;
  args?: unknown;
}

export function answerRequests<Op extends string>(handle: (request: ChildRequest<Op>) => Promise<unknown>): void {
  process.on('message', (message: ChildRequest<Op>) => {
    handle(message).then(
      (result) => process.send?.({ id: message.id, ok: true, result }),
      (error: unknown) =>
        process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.stack : String(error) }),
    );
  });
}

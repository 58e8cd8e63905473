// POST /api/notify: the alert notifier (see src/http/notify.ts).
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { handleNotify } from '../http/notify';

export const notifyHandler = (request: HttpRequest, context: InvocationContext) => handleNotify(request, context);

export const notifyOptions = {
  methods: ['POST' as const],
  authLevel: 'function' as const,
  route: 'notify',
  handler: notifyHandler,
};

app.http('notify', notifyOptions);

// POST /api/notify: the alert notifier (see src/http/notify.ts). The handler checks the bearer token and the app role
// Alerts.Send itself; a function key grants nothing.
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { handleNotify } from '../http/notify';

export const notifyHandler = (request: HttpRequest, context: InvocationContext) => handleNotify(request, context);

export const notifyOptions = {
  methods: ['POST' as const],
  authLevel: 'anonymous' as const,
  route: 'notify',
  handler: notifyHandler,
};

app.http('notify', notifyOptions);

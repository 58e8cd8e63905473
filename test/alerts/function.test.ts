import { notifyHandler, notifyOptions } from '../../src/functions/notify';

describe('notify function registration', () => {
  it('is POST /api/notify, anonymous for the host: the handler requires a bearer token with Alerts.Send', () => {
    expect(notifyOptions).toMatchObject({ methods: ['POST'], authLevel: 'anonymous', route: 'notify' });
    expect(notifyOptions.handler).toBe(notifyHandler);
  });
});

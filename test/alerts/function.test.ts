import { notifyHandler, notifyOptions } from '../../src/functions/notify';

describe('notify function registration', () => {
  it('is POST /api/notify behind a function key', () => {
    expect(notifyOptions).toMatchObject({ methods: ['POST'], authLevel: 'function', route: 'notify' });
    expect(notifyOptions.handler).toBe(notifyHandler);
  });
});

// local.settings.sample.json: every setting of the configuration module, values that load, no secrets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings, SETTINGS } from '../../src/config/settings';

const sample = JSON.parse(readFileSync(join(__dirname, '../../local.settings.sample.json'), 'utf8')) as {
  Values: Record<string, string>;
};

describe('local.settings.sample.json', () => {
  it('lists every setting', () => {
    for (const setting of SETTINGS) expect(Object.keys(sample.Values)).toContain(setting.name);
  });

  it('loads as it is, with the local storage emulator', () => {
    const settings = loadSettings(sample.Values);
    expect(settings.storage).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
    expect(settings.schedule).toBe('0 0 2 * * *');
  });

  it('holds no secret values', () => {
    for (const name of ['AZURE_CLIENT_SECRET', 'AKS_COMPLIANCE_NOTIFY_KEY', 'AKS_COMPLIANCE_TEAMS_WEBHOOK_URL']) {
      expect(sample.Values[name]).toBe('');
    }
  });
});

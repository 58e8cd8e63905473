// Token validation against the simulator's sign-in (its OpenID configuration and JWKS over HTTPS): what an outage of
// the authority's key endpoint does (503, retryable, never a 401 that makes clients drop good tokens), keys kept through
// such an outage, a token whose tenant is not its issuer's, and settings that can never check a token.
import { ConfigError, loadSettings } from '../../src/config/settings';
import { HttpError } from '../../src/http/common';
import { TokenValidator, tokenValidatorFor } from '../../src/http/auth';
import { DEMO_USER, startSimulator, type Simulator } from '../../sim';
import { trustCa } from '../../sim/trust';
import { smallFleet } from '../faults/harness';

jest.setTimeout(60_000);

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator(smallFleet({ seed: 5, clusters: 1, subscriptions: 1, regions: 1 }).fleet);
  trustCa(sim.caPem);
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => sim.faults.clear());

function validator(): TokenValidator {
  const settings = loadSettings(sim.env);
  return new TokenValidator(settings.authorityHost, settings.tenantId!, [sim.signIn.api.clientId]);
}

async function outcome(v: TokenValidator, token: string): Promise<string> {
  try {
    const result = await v.validate(token);
    return result.ok ? 'ok' : `invalid: ${result.reason}`;
  } catch (error) {
    if (error instanceof HttpError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('TokenValidator against the authority', () => {
  it('accepts the demo user token (the check below can fail for the right reason only)', async () => {
    expect(await outcome(validator(), sim.signIn.userToken(DEMO_USER))).toBe('ok');
  });

  it.each([
    ['an error status', { errorRate: 1, errorStatus: 500 }],
    ['503', { errorRate: 1, errorStatus: 503 }],
    ['a dropped connection', { dropRate: 1 }],
    ['a cut JSON body', { malformedRate: 1 }],
  ])('answers 503 (not 401) when the key endpoint answers with %s', async (_label, spec) => {
    sim.faults.set('jwks', spec);
    expect(await outcome(validator(), sim.signIn.userToken(DEMO_USER))).toBe('503 TokenValidationUnavailable');
  });

  it('answers 503 when the OpenID configuration cannot be read', async () => {
    sim.faults.set('openidConfiguration', { errorRate: 1 });
    expect(await outcome(validator(), sim.signIn.userToken(DEMO_USER))).toBe('503 TokenValidationUnavailable');
  });

  it('keeps accepting tokens signed by keys it already holds while the key endpoint is down', async () => {
    const v = validator();
    expect(await outcome(v, sim.signIn.userToken(DEMO_USER))).toBe('ok');
    const fetched = sim.counters.snapshot().jwks;
    sim.faults.set('jwks', { errorRate: 1 });
    sim.faults.set('openidConfiguration', { errorRate: 1 });
    for (let i = 0; i < 3; i++) expect(await outcome(v, sim.signIn.userToken(DEMO_USER))).toBe('ok');
    expect(sim.counters.snapshot().jwks).toBe(fetched);
  });

  it("refuses a token the authority signed whose tid is not the issuer's tenant", async () => {
    const valid = sim.signIn.userToken(DEMO_USER);
    const claims = JSON.parse(Buffer.from(valid.split('.')[1], 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const other = sim.signIn.sign({ ...claims, tid: '11111111-2222-3333-4444-555555555555' });
    expect(await outcome(validator(), other)).toBe("invalid: the token's tid is not the issuer's tenant");
  });
});

describe('tokenValidatorFor', () => {
  it.each(['common', 'organizations', 'Consumers'])('refuses AZURE_TENANT_ID=%s, naming the setting', (tenant) => {
    const settings = loadSettings({ ...sim.env, AZURE_TENANT_ID: tenant });
    expect(() => tokenValidatorFor(settings)).toThrow(ConfigError);
    expect(() => tokenValidatorFor(settings)).toThrow(
      /AZURE_TENANT_ID is '.+': the HTTP functions accept tokens of one tenant/,
    );
  });

  it('needs the API client ID: an application ID URI alone never matches a v2 token', () => {
    const env: Record<string, string> = { ...sim.env, AKS_COMPLIANCE_API_AUDIENCE: sim.signIn.api.applicationIdUri };
    delete env.AKS_COMPLIANCE_API_CLIENT_ID;
    expect(() => tokenValidatorFor(loadSettings(env))).toThrow(/AKS_COMPLIANCE_API_CLIENT_ID is not set/);
  });
});

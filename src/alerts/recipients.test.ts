import { computeAlertBatch } from './alerts';
import { allowedMailDomains, alertsFor, planDeliveries, type RecipientSettings } from './recipients';
import { cluster, finding, report } from '../../test/alerts/reports';

const batch = computeAlertBatch(
  undefined,
  report('r1', [
    cluster('a', [finding('aks_version_supported', 'fail', 'critical')], { tags: { owner: 'Team-A@contoso.com' } }),
    cluster('b', [finding('aks_version_supported', 'fail', 'critical')], { tags: { Owner: 'ops@evil.example' } }),
    cluster('c', [finding('aks_version_supported', 'fail', 'critical')], { tags: { owner: 'two@x.com, three@y.com' } }),
    cluster('d', [finding('aks_version_supported', 'fail', 'critical')], { tags: { owner: 'secops@contoso.com' } }),
  ]),
  { minSeverity: 'high' },
);

const settings: RecipientSettings = {
  teamsWebhookUrl: 'https://prod.logic.azure.com/workflows/x',
  mailSender: 'aks-alerts@contoso.com',
  mailTo: ['secops@contoso.com', 'boss@fabrikam.example'],
  mailAllowedDomains: [],
};

describe('planDeliveries', () => {
  it("mails only the sender's domain by default; everyone else is reported, not mailed", () => {
    const plan = planDeliveries(batch, settings);
    expect(plan.deliveries).toEqual([
      { channel: 'teams', recipient: 'webhook', audience: 'digest' },
      { channel: 'mail', recipient: 'secops@contoso.com', audience: 'digest' },
      { channel: 'mail', recipient: 'team-a@contoso.com', audience: 'owner' },
    ]);
    expect(plan.refusedRecipients.map((r) => [r.recipient, r.source])).toEqual([
      ['boss@fabrikam.example', 'AKS_COMPLIANCE_MAIL_TO'],
      ['ops@evil.example', 'owner tag'],
    ]);
    expect(plan.refusedRecipients[0].reason).toMatch(/not in the allowed mail domains \(contoso\.com\)/);
    expect(plan.invalidOwners.map((o) => o.clusterName)).toEqual(['c']);
  });

  it('AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS widens (or narrows) the domains, matched exactly', () => {
    const plan = planDeliveries(batch, { ...settings, mailAllowedDomains: ['fabrikam.example', 'evil.example'] });
    expect(plan.deliveries.filter((d) => d.channel === 'mail').map((d) => d.recipient)).toEqual([
      'boss@fabrikam.example',
      'ops@evil.example',
    ]);
    expect(allowedMailDomains({ mailSender: 'x@Sub.Contoso.com', mailAllowedDomains: [] })).toEqual([
      'sub.contoso.com',
    ]);
    // An object ID as sender and no setting: no domain is allowed, and that is what the refusal says.
    const none = planDeliveries(batch, { ...settings, mailSender: '0f3c6b8e-2d4a-4c1e-9b7f-5a6d8e9c0b1a' });
    expect(none.deliveries.map((d) => d.channel)).toEqual(['teams']);
    expect(none.refusedRecipients[0].reason).toMatch(/no allowed mail domain/);
  });

  it('an owner gets only their clusters; a configured recipient who is also an owner gets the digest once', () => {
    const plan = planDeliveries(batch, settings);
    const owner = plan.deliveries.find((d) => d.audience === 'owner')!;
    expect(alertsFor(owner, batch).map((a) => a.clusterName)).toEqual(['a']);
    expect(plan.deliveries.filter((d) => d.recipient === 'secops@contoso.com')).toHaveLength(1);
  });

  it('names what is not configured', () => {
    const plan = planDeliveries(batch, { ...settings, teamsWebhookUrl: undefined, mailSender: undefined });
    expect(plan.deliveries).toEqual([]);
    expect(plan.notConfigured).toEqual(['teams', 'mail']);
  });
});

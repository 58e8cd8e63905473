// The deploy docs restrict Mail.Send to the sender mailbox with a command an administrator can paste: RBAC for
// Applications (scope + role assignment naming the same scope) or an application access policy, sources cited.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const permissions = readFileSync(path.join(root, 'docs/permissions.md'), 'utf8');
const section = permissions.slice(permissions.indexOf('## Restrict Mail.Send to the sender mailbox'));

describe('docs/permissions.md: Mail.Send restricted to the sender mailbox', () => {
  it('has the section, linked from the permission table', () => {
    expect(permissions).toContain('## Restrict Mail.Send to the sender mailbox');
    expect(permissions).toMatch(
      /\*\*Mail\.Send\*\*, restricted to the sender mailbox .*\(#restrict-mailsend-to-the-sender-mailbox\)/,
    );
  });

  it('RBAC for Applications: a management scope on the sender and the Application Mail.Send role scoped to it', () => {
    const scope =
      /New-ManagementScope -Name "([^"]+)" -RecipientRestrictionFilter "PrimarySmtpAddress -eq '([^']+)'"/.exec(
        section,
      );
    expect(scope).not.toBeNull();
    const assignment =
      /New-ManagementRoleAssignment -App <client ID> -Role "Application Mail\.Send" -CustomResourceScope "([^"]+)"/.exec(
        section,
      );
    expect(assignment?.[1]).toBe(scope![1]);
    expect(section).toMatch(/New-ServicePrincipal -AppId <client ID> -ObjectId <principal ID>/);
    expect(section).toContain(`Test-ServicePrincipalAuthorization -Identity <client ID> -Resource ${scope![2]}`);
    // The Entra grant would make the scoped assignment pointless: the docs say not to give it.
    expect(section).toMatch(/Entra \*\*Mail\.Send\*\* grant must not be\s+given/);
  });

  it('application access policy: RestrictAccess to a group holding only the sender', () => {
    const group = /New-DistributionGroup -Name "([^"]+)" -Type Security -Members (\S+)/.exec(section);
    expect(group).not.toBeNull();
    expect(section).toContain(
      `New-ApplicationAccessPolicy -AppId <client ID> -PolicyScopeGroupId "${group![1]}" -AccessRight RestrictAccess`,
    );
    expect(section).toContain(`Test-ApplicationAccessPolicy -Identity ${group![2]} -AppId <client ID>`);
  });

  it('cites the Microsoft documentation', () => {
    for (const url of [
      'https://learn.microsoft.com/exchange/permissions-exo/application-rbac',
      'https://learn.microsoft.com/graph/auth-limit-mailbox-access',
      'https://learn.microsoft.com/powershell/module/exchange/new-applicationaccesspolicy',
    ]) {
      expect(section).toContain(url);
    }
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { ALL_RULES } from './index';
import { join } from 'node:path';
import { generateRulesMarkdown, repositoryRoot, rulesDocPath } from './docs';
import { PARTIAL_READS } from './resolutionDocs';

describe('docs/rules.md', () => {
  it('docs: is what the generator produces from the rule metadata (run `npm run docs` when this fails)', () => {
    const path = rulesDocPath();
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const expected = generateRulesMarkdown();
    if (current !== expected) {
      throw new Error(`${path} is stale or missing: run \`npm run docs\` and commit the result`);
    }
    expect(current).toBe(expected);
  });

  it('docs: lists every rule with its severity, evaluation, remediation example and references', () => {
    const text = generateRulesMarkdown();
    for (const rule of ALL_RULES) {
      expect(text).toContain(`## ${rule.id}\n\n**${rule.title}**`);
      expect(text).toContain(`| ${rule.severity} |`);
      for (const ref of rule.references) expect(text).toContain(`- <${ref}>`);
    }
    expect(text).toContain('az aks upgrade --resource-group my-rg --name my-cluster --kubernetes-version 1.31.14');
    expect(text).toContain('az aks update --resource-group my-rg --name my-cluster --disable-local-accounts');
    expect(text).toContain('1.9 is older than 1.34');
  });

  it('docs: escapes table cells', () => {
    const rule = { ...ALL_RULES[0], id: 'x_rule', title: 'a | b' };
    expect(generateRulesMarkdown([rule])).toContain('| a \\| b |');
  });

  it('docs: states that a fail is resolved only on positive evidence, each partial read with a test that exists', () => {
    const text = generateRulesMarkdown();
    expect(text).toContain('## A fail is resolved only on positive evidence');
    for (const p of PARTIAL_READS) {
      expect(text).toContain(p.way);
      const file = p.test.split(' ')[0].replace(/;$/, '');
      expect(`${file} ${existsSync(join(repositoryRoot(), file)) ? 'exists' : 'is missing'}`).toBe(`${file} exists`);
    }
  });
});

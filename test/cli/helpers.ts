// In-process CLI harness: runs main() with a capturing IO and a temporary working folder.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { FIXTURES_DIR } from '../../sim/fleet/fixtures';

export const EXAMPLES = FIXTURES_DIR;

export function loadExample(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EXAMPLES, relative), 'utf8')) as Record<string, unknown>;
}

/** `responses.200.body` of an x-ms-examples file, unchanged. */
export function exampleBody(relative: string): Record<string, unknown> {
  const example = loadExample(relative) as { responses: Record<string, { body: Record<string, unknown> }> };
  return example.responses['200'].body;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export class CliSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'aks-compliance-cli-'));
  env: NodeJS.ProcessEnv = {};

  write(name: string, content: unknown): string {
    writeFileSync(join(this.dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return name;
  }

  read(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  async run(...argv: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: this.env,
      isTTY: false,
      cwd: this.dir,
    };
    const code = await main(argv, io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** stderr holds exactly one non-empty line (and no stack trace). */
export function oneErrorLine(run: CliRun): string {
  const lines = run.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

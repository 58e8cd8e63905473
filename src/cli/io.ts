// What a CLI command may touch of the outside world, passed in so commands run the same in a terminal and in tests.
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress lines are shown only then. */
  isTTY: boolean;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/** Bad usage or bad input: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command module: `aks-compliance <name> ...args`. Returns the exit code. */
export type CommandRunner = (args: string[], io: CliIO) => Promise<number>;

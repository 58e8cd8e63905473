#!/usr/bin/env node
'use strict';
// The package's command. The code lives in dist/ (npm run build); this file only starts it.

// First, in syntax any Node understands: an older Node fails later with errors that do not say why.
var required = Number(/\d+/.exec(require('../package.json').engines.node)[0]);
if (Number(process.versions.node.split('.')[0]) < required) {
  process.stderr.write(
    'aks-compliance: needs Node.js ' +
      required +
      ' or later, not ' +
      process.version +
      ': after `npm ci` run it ' +
      'through npm (`npm run demo`, `npx aks-compliance ...` use the Node ' +
      required +
      ' that `npm ci` installs), ' +
      'or install Node.js ' +
      required +
      ' (for example `nvm install ' +
      required +
      '`)\n',
  );
  process.exitCode = 2;
  return;
}

let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('aks-compliance: not built yet: run `npm run build` first\n');
    process.exitCode = 2;
    return;
  }
  throw error;
}
// `aks-compliance ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => {
  if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): `glx env` runs in shell start-up files, and Node starts
// a CommonJS entry faster. `--version` and `<command> --help` print text the build made from the
// CLI itself (dist/help.json, src/cli/help-texts.ts); `glx env` and `glx init` (with a numeric
// registry id) have lean bundles of their own, loaded with the build's V8 code cache (load.cjs);
// anything else, and anything those do not handle, goes to the full CLI (an ES module, loaded
// with import(), whose commands are chunks loaded on use).
const argv = process.argv.slice(2);

/** The build's text for exactly `--version`/`-V` or `<command path> --help`/`-h`, else undefined. */
function prebuilt() {
  const last = argv[argv.length - 1];
  const version = argv.length === 1 && (last === '--version' || last === '-V');
  const help = (last === '--help' || last === '-h') && argv.slice(0, -1).every((word) => /^[a-z][a-z-]*$/.test(word));
  if (!version && !help) return undefined;
  let texts;
  try {
    texts = require('../dist/help.json');
  } catch {
    return undefined; // while the build generates it
  }
  return version ? texts.version : texts.help[argv.slice(0, -1).join(' ')];
}

function writeAll(text) {
  const { writeSync } = require('node:fs');
  const buffer = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < buffer.length; ) {
    try {
      offset += writeSync(1, buffer, offset);
    } catch (error) {
      if (error.code === 'EAGAIN') continue; // a full non-blocking pipe
      if (error.code === 'EPIPE') return; // `| head`
      throw error;
    }
  }
}

/** dist/glx-<command>.cjs, with the build's V8 code cache for this Node when it has one (load.cjs). */
function fastPath(command) {
  return require('./load.cjs').load(require('node:path').join(__dirname, '..', 'dist', `glx-${command}.cjs`));
}

async function run() {
  const text = prebuilt();
  if (text !== undefined) return writeAll(text);
  if ((argv[0] === 'env' || argv[0] === 'init') && (await fastPath(argv[0]).main(argv))) return;
  const { main } = await import('../dist/glx.js');
  await main(argv);
}

run();

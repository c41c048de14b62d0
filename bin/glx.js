#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): `glx env` runs in shell start-up files, and Node starts
// a CommonJS entry faster. `glx env` has its own lean bundle and falls back to the full CLI (an
// ES module bundle, loaded with import()) for anything it does not handle itself.
const argv = process.argv.slice(2);

async function run() {
  if (argv[0] === 'env' && (await require('../dist/glx-env.cjs').main(argv))) return;
  const { main } = await import('../dist/glx.js');
  await main(argv);
}

run();

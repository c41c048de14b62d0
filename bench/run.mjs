// Runs every benchmark in turn. Numbers go in the closing notes, never into test assertions.
const which = process.argv[2];
const all = ['startup', 'toml-parse', 'env', 'publish'];
for (const name of which ? [which] : all) {
  try {
    console.log(`\n## ${name}`);
    await import(`./${name}.mjs`);
  } catch (error) {
    if (error.code === 'ERR_MODULE_NOT_FOUND') console.log(`(no bench/${name}.mjs yet)`);
    else throw error;
  }
}

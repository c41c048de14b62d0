// Loads a start-up bundle (dist/glx-env.cjs, dist/glx-init.cjs) and the dist/vendor/ files it
// requires with the V8 code cache the build made for this node (dist/cache/, scripts/code-cache.cjs):
// V8 then neither parses nor compiles the functions a command runs, which is most of what
// `glx env` costs over a bare `node`. A cache is used only by the node that recorded it: V8 checks
// its own version, flags and the source's length and rejects a cache that does not match
// (https://nodejs.org/api/vm.html#scriptcacheddatarejected), but two Node releases that share a
// V8 version can differ in V8's patches, and such a cache crashes the other one. So each cache
// file starts with a line naming the node, its V8 and V8's build settings, and only that exact
// node uses it. Without a cache file, with one of another node, with one V8 rejects, or with
// GLX_NO_CODE_CACHE=1, the file is compiled from source as `require` would: the result is the
// same. Nothing here writes a file at run time; only the build records caches (`record`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');
const CACHE = path.join(DIST, 'cache', `node-${process.version}-${process.platform}-${process.arch}`);
const v8Settings = Object.entries(process.config.variables).filter(([key]) => key.startsWith('v8_'));
const HEADER = `glx code cache: node ${process.version} v8 ${process.versions.v8} ${process.platform}-${process.arch} ${JSON.stringify(v8Settings)}`;

/** This node's cache of `relative` (a path under dist/), or undefined (no file, another node's). */
function cacheFor(relative) {
  let bytes;
  try {
    bytes = fs.readFileSync(path.join(CACHE, relative));
  } catch {
    return undefined;
  }
  const eol = bytes.indexOf(10);
  return eol > 0 && bytes.toString('utf8', 0, eol) === HEADER ? bytes.subarray(eol + 1) : null;
}

/** File → { exports, script, cache: 'accepted' | 'rejected' | 'none' }. */
const loaded = new Map();

/** The exports of `file` (a path under dist/), with its code cache when there is one. */
function load(file, options = {}) {
  const known = loaded.get(file);
  if (known) return known.exports;
  const found =
    options.record || process.env.GLX_NO_CODE_CACHE === '1' ? undefined : cacheFor(path.relative(DIST, file));
  const vm = require('node:vm');
  // The function CommonJS wraps a file in (https://nodejs.org/api/modules.html#the-module-wrapper).
  const source = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(file, 'utf8')}\n});`;
  const script = new vm.Script(source, {
    filename: file,
    cachedData: found ?? undefined,
  });
  const entry = {
    exports: undefined,
    script,
    cache: found === undefined ? 'none' : found === null || script.cachedDataRejected ? 'rejected' : 'accepted',
  };
  loaded.set(file, entry);
  // All a bundle uses of its module is `exports`, and of `require` the call itself. A bundle
  // requires Node's own modules and its vendor files, nothing else (the build bundles the rest):
  // this file's `require` resolves the former as it would from dist/, without node:module's
  // `createRequire` (loading node:module costs a shell start-up 0.4 ms).
  const mod = { exports: {} };
  const requireFrom = (id) => {
    if (id.startsWith('./vendor/')) return load(path.join(path.dirname(file), id), options);
    if (id.startsWith('.') || path.isAbsolute(id)) throw new Error(`${file}: unexpected require('${id}')`);
    return require(id);
  };
  script.runInThisContext().call(mod.exports, mod.exports, requireFrom, mod, file, path.dirname(file));
  entry.exports = mod.exports;
  return mod.exports;
}

/** How each file loaded so far met its cache: 'accepted', 'rejected' (another node's, or V8 said no) or 'none'. */
function cacheUse() {
  return Object.fromEntries([...loaded].map(([file, entry]) => [path.relative(DIST, file), entry.cache]));
}

/**
 * The build's step (scripts/code-cache.cjs), after running commands on loads made with
 * `{ record: true }`: writes each file's cache, which then holds every function compiled so far.
 */
function record() {
  for (const [file, { script }] of loaded) {
    const out = path.join(CACHE, path.relative(DIST, file));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, Buffer.concat([Buffer.from(`${HEADER}\n`), script.createCachedData()]));
  }
  return CACHE;
}

module.exports = { load, cacheUse, record };

/**
 * Real wheels and sdists for tests, written by Python's own zipfile and tarfile (not by glx's
 * readers), from a list of specs in one python3 run.
 */
import { spawn } from 'node:child_process';

export interface DistSpec {
  kind: 'wheel' | 'sdist' | 'sdist-zip';
  name: string;
  version: string;
  /** Overrides the conventional file name. */
  fileName?: string;
  /** The whole METADATA / PKG-INFO text, instead of the generated one. */
  metadata?: string;
  requiresPython?: string;
  summary?: string;
  /** Extra header lines, e.g. `Requires-Dist: attrs`. */
  headers?: string[];
  description?: string;
  /** Random bytes in a member of this size, to make the file larger. */
  padding?: number;
  /** Put the padding member before the metadata (so a reader has to skip it). */
  paddingFirst?: boolean;
  compression?: 'stored' | 'deflated';
  tarFormat?: 'pax' | 'gnu' | 'ustar';
  /** sdist top-level directory (default `{name}-{version}`, normalised). */
  topDir?: string;
  omitMetadata?: boolean;
  /** Several .dist-info directories (a broken wheel). */
  extraDistInfo?: string;
  /** Write the zip with ZIP64 records. */
  zip64?: boolean;
}

const SCRIPT = String.raw`
import io, json, os, re, sys, tarfile, zipfile
specs = json.load(sys.stdin)

def metadata(s):
    if s.get('metadata') is not None:
        return s['metadata']
    lines = ['Metadata-Version: 2.4', 'Name: ' + s['name'], 'Version: ' + s['version'],
             'Summary: ' + s.get('summary', 'A package for tests'), 'Author-email: Alice <alice@example.com>',
             'Keywords: test,glx', 'Classifier: Programming Language :: Python :: 3', 'Requires-Dist: attrs>=22',
             'Project-URL: Homepage, https://example.com/' + s['name']]
    if s.get('requiresPython'):
        lines.append('Requires-Python: ' + s['requiresPython'])
    lines += s.get('headers', [])
    lines.append('Description-Content-Type: text/markdown')
    return '\n'.join(lines) + '\n\n' + s.get('description', '# ' + s['name'] + '\n\nA package for tests.\n')

def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1700000000
    tar.addfile(info, io.BytesIO(data))

out = []
for s in specs:
    norm = re.sub(r'[-_.]+', '_', s['name']).lower()
    meta = metadata(s).encode('utf-8')
    pad = os.urandom(s.get('padding', 0)) if s.get('padding') else None
    kind = s['kind']
    if kind == 'wheel':
        name = s.get('fileName') or '%s-%s-py3-none-any.whl' % (norm, s['version'])
        path = os.path.join(s['dir'], name)
        comp = zipfile.ZIP_STORED if s.get('compression') == 'stored' else zipfile.ZIP_DEFLATED
        info = '%s-%s.dist-info' % (norm, s['version'])
        with zipfile.ZipFile(path, 'w', comp) as z:
            def put(member, data):
                if s.get('zip64'):
                    with z.open(member, 'w', force_zip64=True) as f:
                        f.write(data if isinstance(data, bytes) else data.encode())
                else:
                    z.writestr(member, data)
            put(norm + '/__init__.py', "__version__ = '%s'\n" % s['version'])
            if pad is not None and s.get('paddingFirst', True):
                put(norm + '/blob.bin', pad)
            if not s.get('omitMetadata'):
                put(info + '/METADATA', meta)
            if s.get('extraDistInfo'):
                put(s['extraDistInfo'] + '/METADATA', meta)
            if pad is not None and not s.get('paddingFirst', True):
                put(norm + '/blob.bin', pad)
            put(info + '/WHEEL', 'Wheel-Version: 1.0\nGenerator: glx-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
            put(info + '/RECORD', '')
    else:
        top = s.get('topDir') or '%s-%s' % (norm, s['version'])
        ext = 'zip' if kind == 'sdist-zip' else 'tar.gz'
        name = s.get('fileName') or '%s-%s.%s' % (norm, s['version'], ext)
        path = os.path.join(s['dir'], name)
        members = [(top + '/pyproject.toml', b'[project]\nname = "%s"\n' % s['name'].encode())]
        if pad is not None and s.get('paddingFirst', True):
            members.append((top + '/data/blob.bin', pad))
        if not s.get('omitMetadata'):
            members.append((top + '/PKG-INFO', meta))
        members.append((top + '/src/%s.egg-info/PKG-INFO' % norm, b'Metadata-Version: 2.1\nName: wrong\nVersion: 0\n'))
        if pad is not None and not s.get('paddingFirst', True):
            members.append((top + '/data/blob.bin', pad))
        if kind == 'sdist-zip':
            with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
                for member, data in members:
                    z.writestr(member, data)
        else:
            fmt = {'pax': tarfile.PAX_FORMAT, 'gnu': tarfile.GNU_FORMAT, 'ustar': tarfile.USTAR_FORMAT}[s.get('tarFormat', 'pax')]
            with tarfile.open(path, 'w:gz', format=fmt) as t:
                for member, data in members:
                    add(t, member, data)
    out.append(path)
json.dump(out, sys.stdout)
`;

/** Writes the distributions into `dir`; returns their paths in spec order. */
export function buildDists(dir: string, specs: DistSpec[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`python3 could not build the distributions:\n${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin.end(JSON.stringify(specs.map((spec) => ({ ...spec, dir }))));
  });
}

export async function buildDist(dir: string, spec: DistSpec): Promise<string> {
  const [file] = await buildDists(dir, [spec]);
  return file!;
}

/** BLAKE2b-256 as Python computes it (`hashlib.blake2b(data, digest_size=32)`), the reference for the upload field. */
export function pythonBlake2b256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [
      '-c',
      'import hashlib,sys;print(hashlib.blake2b(open(sys.argv[1],"rb").read(),digest_size=32).hexdigest())',
      file,
    ]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`python3 exited ${code}`))));
  });
}

import { describe, expect, it } from 'vitest';
import { isWorkspaceMember, workspaceGlob } from '../../src/pyproject/workspace.js';

describe('workspace member globs, matched as uv matches them (glob crate, default options)', () => {
  it('a members glob relative to the root matches the member directory', () => {
    expect(isWorkspaceMember('/w/packages/a', '/w', { members: ['packages/*'], exclude: [] })).toBe(true);
    expect(isWorkspaceMember('/w/libs/a', '/w', { members: ['packages/*'], exclude: [] })).toBe(false);
  });

  it('an exclude glob wins over a members glob', () => {
    expect(
      isWorkspaceMember('/w/packages/scratch', '/w', { members: ['packages/*'], exclude: ['packages/scratch'] }),
    ).toBe(false);
  });

  it('* and ? also match a separator (require_literal_separator is off), ** any depth, [..] a class', () => {
    expect(workspaceGlob('/w/packages/*').test('/w/packages/a/b')).toBe(true);
    expect(workspaceGlob('/w/p?a').test('/w/p/a')).toBe(true);
    expect(workspaceGlob('/w/**/lib').test('/w/lib')).toBe(true);
    expect(workspaceGlob('/w/**/lib').test('/w/x/y/lib')).toBe(true);
    expect(workspaceGlob('/w/[ab]').test('/w/b')).toBe(true);
    expect(workspaceGlob('/w/[!ab]').test('/w/b')).toBe(false);
    expect(workspaceGlob('/w/a.b').test('/w/axb')).toBe(false);
  });
});

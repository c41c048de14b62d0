/** GitLab's JSON schema for .gitlab-ci.yml (shared/reference, see SOURCES.md there), compiled once. */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseCiFile } from '../../src/gitlab-ci/document.js';
import { sharedPath } from '../support/peers.js';

const schemaFile = sharedPath('reference/gitlab-ci.schema.json', "validation against GitLab's CI schema");

export const schemaAvailable = schemaFile !== undefined;

let validate: ReturnType<Ajv['compile']> | undefined;
let ajv: Ajv | undefined;

/** The configuration as GitLab sees it: merge keys and aliases resolved, !reference kept as a list. */
export function ciData(text: string): unknown {
  const ci = parseCiFile(text, '.gitlab-ci.yml');
  return ci.config && ci.map ? ci.config.toJS({ maxAliasCount: -1 }) : {};
}

/** Schema errors of a .gitlab-ci.yml text ('' when valid). Only call when schemaAvailable. */
export function schemaErrors(text: string): string {
  if (!validate) {
    // strict: false and no logger: the schema uses `format: uri` and keywords ajv does not know.
    ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: false });
    validate = ajv.compile(JSON.parse(readFileSync(schemaFile!, 'utf8')));
  }
  return validate(ciData(text)) ? '' : (ajv?.errorsText(validate.errors) ?? 'invalid');
}

#!/usr/bin/env node
// Validates docs/openapi.json (or the file given) against the OpenAPI 3.1 schema with
// @seriousme/openapi-schema-validator and prints its verdict as JSON; exit 1 when invalid.
//   node tools/validate-openapi.mjs [file]
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';

const file = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../docs/openapi.json'));
const validator = new Validator();
const verdict = await validator.validate(JSON.parse(readFileSync(file, 'utf8')));
console.log(JSON.stringify({ file, version: validator.version, valid: verdict.valid, errors: verdict.errors ?? [] }));
process.exit(verdict.valid ? 0 : 1);

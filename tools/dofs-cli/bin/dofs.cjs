#!/usr/bin/env node
// `npx dofs ...` in the repository: runs the CLI's TypeScript through @swc-node/register (a
// devDependency of the workspace), with the workspace libraries resolved by their package names.
'use strict';
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.json');
// The SDK's notice that its 2027 releases need Node 22 concerns this machine only (docs/design.md).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('@swc-node/register');
const { main } = require('../src/main.ts');

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`dofs: ${error && error.message ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

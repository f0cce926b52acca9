// esbuild settings shared by the build target of every Lambda app (@nx/esbuild `esbuildConfig`).
// The per-app options Lambda depends on (entry, CommonJS, node22, minify, `@aws-sdk/*` external,
// output folder) are written out in each app's project.json; this file holds what they share.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

/**
 * Workspace library sources whose modules only declare things: our rule is no work at import
 * time (docs/design.md), so dropping a module none of whose exports is used changes nothing.
 * esbuild must otherwise keep every module a library's index re-exports, because it cannot prove
 * that `export const X = Type.Object({ max: LIMITS.X })` or `import { SQSClient } from
 * '@aws-sdk/client-sqs'` is free of side effects. Without this, an app that only calls
 * `isTerminal()` would carry typebox's type builder (~70 KB minified), and fulfill-order, which
 * only parses records, would load @aws-sdk/client-sqs at cold start (~35 ms) for the sender it
 * never uses. Marking them side-effect free lets esbuild drop the modules an app does not use.
 */
const SIDE_EFFECT_FREE_DIRS = ['libs/order-domain/src', 'libs/handler-kit/src', 'libs/ddb-repo/src', 'libs/queue-client/src'].map(
  (dir) => path.join(root, dir) + path.sep,
);

const isSideEffectFree = (file) => SIDE_EFFECT_FREE_DIRS.some((dir) => file.startsWith(dir));

const sideEffectFreeLibs = {
  name: 'dofs-side-effect-free-libs',
  setup(build) {
    build.onResolve({ filter: /^(@dofs\/|\.)/ }, async (args) => {
      if (args.pluginData && args.pluginData.dofsResolved) return undefined;
      if (!args.path.startsWith('@dofs/') && !isSideEffectFree(args.importer)) return undefined;
      const result = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { dofsResolved: true },
      });
      if (result.errors.length > 0) return { errors: result.errors, warnings: result.warnings };
      if (!isSideEffectFree(result.path)) return { ...result, pluginData: undefined };
      return { ...result, pluginData: undefined, sideEffects: false };
    });
  },
};

module.exports = {
  // Lambda's handler setting is `main.handler`: the CommonJS bundle must be main.js, not main.cjs.
  outExtension: { '.js': '.js' },
  legalComments: 'none',
  plugins: [sideEffectFreeLibs],
};

// Bundles each entry point into dist/: the CLI, the VS Code extension, the debug adapter and
// the timeline webview. `node esbuild.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2022' };
const builds = [
  { ...common, entryPoints: ['adapter/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', loader: { '.elf': 'binary' } },
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { ...common, entryPoints: ['adapter/main.ts'], outfile: 'dist/adapter.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

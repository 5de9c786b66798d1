// `npm run test:vscode`: the extension API in a desktop VS Code, with @vscode/test-electron.
// VS Code runs with this repository as the extension under development (dist/ must be built: the
// npm script builds it), a fresh user-data and extensions directory, no other extension, and a copy
// of examples/ as the workspace; test/vscode/suite.ts runs inside its extension host.
//
// The VS Code build: $VSCODE_EXECUTABLE when set (the `code` binary of an installed VS Code, or of
// an unpacked build), else one downloaded from update.code.visualstudio.com into
// .cache/vscode-test ($VSCODE_VERSION: "stable" by default, or e.g. "1.90.0"). When that download
// fails, one line says why and the exit status is 1. It is not part of `npm test` or .ci/run:
// the CI network has no access to the VS Code CDN.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { SilentReporter, downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOWNLOAD_IDLE_MS = 30_000;

async function vscodeExecutable(): Promise<string> {
  const given = process.env.VSCODE_EXECUTABLE;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`test:vscode: VSCODE_EXECUTABLE=${given}: no such file`);
    return given;
  }
  const version = process.env.VSCODE_VERSION || 'stable';
  try {
    return await downloadAndUnzipVSCode({
      version, cachePath: path.join(ROOT, '.cache/vscode-test'), timeout: DOWNLOAD_IDLE_MS, reporter: new SilentReporter(),
    });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new Error(`test:vscode: could not download VS Code ${version} from update.code.visualstudio.com (${why}); `
      + 'without access to the VS Code CDN, set VSCODE_EXECUTABLE to the path of a VS Code executable');
  }
}

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) throw new Error('test:vscode: dist/extension.js missing: run `npm run build` first');
  const vscodeExecutablePath = await vscodeExecutable();

  // The suite is loaded with require() by the extension host: bundle it to CommonJS, `vscode` external.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvreplay-vscode-test-'));
  const suite = path.join(tmp, 'suite.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'test/vscode/suite.ts')], outfile: suite, bundle: true, platform: 'node', format: 'cjs',
    target: 'node18', sourcemap: 'inline', external: ['vscode'], logLevel: 'warning',
  });
  const workspace = path.join(tmp, 'examples');
  fs.cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true, filter: (f) => !/\.rr(\.snapshots)?$/.test(f) });
  try {
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      extensionTestsEnv: { RVREPLAY_TEST_WORKSPACE: workspace },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--disable-gpu', '--user-data-dir', path.join(tmp, 'user-data'), '--extensions-dir', path.join(tmp, 'extensions')],
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    // runTests rejects with the exit code or signal when the tests fail; anything else is one line.
    console.error(e instanceof Error ? e.message : `test:vscode: VS Code exited with ${String(e)}`);
    process.exit(1);
  },
);

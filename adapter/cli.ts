#!/usr/bin/env node
// The rvreplay command's entry point, bundled into dist/cli.js. The commands are core's
// (core/cli/main.ts); this file only adds the debug adapter behind `--dap PORT`
// (adapter/cli-dap.ts). It lives here rather than in core/ because serving DAP needs adapter/,
// and core/ imports nothing from adapter/ (the emulator, record/replay and the debugger runtime
// stay usable without the DAP library).
import { runCli } from '../core/cli/main';
import { serveFromCli } from './cli-dap';

void runCli(process.argv.slice(2), { dap: serveFromCli });

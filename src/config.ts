// Launch configuration defaults and checks. Pure functions (no `vscode` import) so that
// test/extension-config.test.ts can run them under plain Node; src/config-provider.ts applies them.
import * as path from 'node:path';
import type { LaunchArguments } from '../adapter/protocol';

/** A debug configuration as VS Code hands it over: anything may be missing or mistyped. */
export type RawConfig = Record<string, unknown> & { type?: string; request?: string; name?: string };

export const DEFAULTS = {
  rr: 'record',
  stopOnEntry: false,
} as const;

/** The recording a program gets when the configuration names none (as the adapter): hello.elf → hello.elf.rr. */
export function defaultRrfile(program: string): string {
  return `${program}.rr`;
}

/**
 * The configuration F5 uses when there is no launch.json: record and debug `program`. Nobody chose
 * its recording, so it may replace the one of the previous F5.
 */
export function configForProgram(program: string, workspaceFolder?: string): RawConfig {
  const shown = workspaceFolder && isInside(program, workspaceFolder)
    ? path.relative(workspaceFolder, program) : path.basename(program);
  return { type: 'rvreplay', request: 'launch', name: `Record and debug ${shown}`, program, rr: DEFAULTS.rr, rrfileOverwrite: true, stopOnEntry: DEFAULTS.stopOnEntry };
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Completes a launch configuration whose variables are already substituted: relative paths are
 * taken from `cwd` (the workspace folder), `rr` defaults to record, and the recording defaults to
 * the program's path + `.rr`, as in the adapter (which refuses to replace an existing one unless
 * `rrfileOverwrite` says so). Returns the configuration or a message saying what is wrong with it.
 */
export function completeLaunch(
  config: RawConfig, cwd: string | undefined, exists: (file: string) => boolean,
): { config: RawConfig & LaunchArguments } | { error: string } {
  const c: RawConfig = { ...config };
  const abs = (p: string) => (path.isAbsolute(p) || cwd === undefined ? p : path.resolve(cwd, p));
  if (typeof c.program !== 'string' || c.program.trim() === '') {
    return { error: 'The rvreplay configuration has no "program": set it to the RISC-V ELF to debug, e.g. "${workspaceFolder}/hello.elf".' };
  }
  c.program = abs(c.program);
  if (!exists(c.program as string)) return { error: `Program not found: ${c.program}` };
  c.rr ??= DEFAULTS.rr;
  if (c.rr !== 'none' && c.rr !== 'record' && c.rr !== 'replay') {
    return { error: `"rr" must be "none", "record" or "replay", not ${JSON.stringify(c.rr)}.` };
  }
  for (const key of ['rrfile', 'semihostingRoot'] as const) {
    if (typeof c[key] === 'string') c[key] = abs(c[key] as string);
  }
  if (c.rr === 'record' && c.rrfile === undefined) c.rrfile = defaultRrfile(c.program as string);
  if (c.rr === 'replay') {
    if (typeof c.rrfile !== 'string') c.rrfile = defaultRrfile(c.program as string);
    if (!exists(c.rrfile as string)) {
      return { error: `Recording not found: ${c.rrfile}. Record one first (a configuration with "rr": "record").` };
    }
  }
  for (const key of ['icountShift', 'ramMiB', 'snapshotBudgetMiB'] as const) {
    if (c[key] !== undefined && !Number.isInteger(c[key])) return { error: `"${key}" must be an integer.` };
  }
  if (c.args !== undefined && !(Array.isArray(c.args) && c.args.every((a) => typeof a === 'string'))) {
    return { error: '"args" must be an array of strings.' };
  }
  return { config: c as RawConfig & LaunchArguments };
}

/**
 * Parses what a user types into "Go to Icount…": decimal with optional `_`/`,` separators, hex
 * with 0x, or a suffix k/M/G (×1e3/1e6/1e9). Returns undefined when it is not a non-negative integer.
 */
export function parseIcount(text: string): number | undefined {
  const s = text.trim().replace(/[_,\s]/g, '');
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(s)) n = parseInt(s.slice(2), 16);
  else {
    const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(s);
    if (!m) return undefined;
    const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
    n = Number(m[1]) * mult;
  }
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** "record · icount 1,234,567" for the status bar. */
export function statusText(mode: string, icount: number, running: boolean): string {
  const m = mode === 'play' ? 'replay' : mode === 'none' ? 'live' : mode;
  return `rvreplay ${m} · ${running ? 'running' : `icount ${icount.toLocaleString('en-US')}`}`;
}

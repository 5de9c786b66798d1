// Debug configurations: F5 with no launch.json (pick an ELF of the workspace and record it),
// dynamic configurations (one per ELF, under "Run and Debug → Show all"), and completing what a
// launch.json leaves out (src/config.ts holds the rules).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type RawConfig, completeLaunch, configForProgram } from './config';

const ELF_GLOB = '**/*.elf';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.cache/**}';

/** ELF files of the workspace (by name, and checked for the ELF magic), sorted by path. */
export async function findElfs(folder?: vscode.WorkspaceFolder): Promise<vscode.Uri[]> {
  const include = folder ? new vscode.RelativePattern(folder, ELF_GLOB) : ELF_GLOB;
  const uris = await vscode.workspace.findFiles(include, EXCLUDE, 200);
  return uris.filter((u) => isElf(u.fsPath)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

function isElf(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(4);
      return fs.readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === '\x7fELF';
    } finally { fs.closeSync(fd); }
  } catch { return false; }
}

/**
 * Asks which ELF to debug: the one beside the active C file if it exists, the only one, or a
 * quick pick. Undefined when there is none or the user cancels.
 */
export async function pickProgram(folder?: vscode.WorkspaceFolder): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const sibling = active.fsPath.replace(/\.[^./\\]+$/, '') + '.elf';
    if (/\.(c|cc|cpp|s|S)$/.test(active.fsPath) && isElf(sibling)) return sibling;
  }
  const elfs = await findElfs(folder);
  if (elfs.length === 0) {
    void vscode.window.showErrorMessage('rvreplay: no ELF file (*.elf) in this workspace to debug. Build one, or set "program" in launch.json.');
    return undefined;
  }
  if (elfs.length === 1) return elfs[0]!.fsPath;
  const items = elfs.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u, false), uri: u }));
  const pick = await vscode.window.showQuickPick(items, { title: 'rvreplay: which RISC-V ELF?', placeHolder: 'The program to record and debug', matchOnDescription: true });
  return pick?.uri.fsPath;
}

/** Dynamic configurations: "Record and debug X.elf" for each ELF of the folder. */
export class DynamicConfigs implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const elfs = await findElfs(folder);
    return elfs.slice(0, 30).map((u) => configForProgram(u.fsPath, folder?.uri.fsPath) as vscode.DebugConfiguration);
  }
}

/**
 * Fills in configurations before a launch. (Not a provider of initial configurations: launch.json
 * starts from package.json's `initialConfigurations`, whose program is picked at launch.)
 */
export class ConfigResolver implements vscode.DebugConfigurationProvider {
  /** F5 with no launch.json arrives here with an empty configuration. */
  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      const program = await pickProgram(folder);
      if (!program) return undefined;
      return configForProgram(program, folder?.uri.fsPath) as vscode.DebugConfiguration;
    }
    return config;
  }

  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (config.request === 'attach') {
      if (!Number.isInteger(config.port)) return fail('An rvreplay "attach" configuration needs "port": the port given to `rvreplay … --dap PORT`.');
      return config;
    }
    const cwd = folder?.uri.fsPath ?? (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    const r = completeLaunch(config as RawConfig, cwd, (f) => fs.existsSync(f));
    if ('error' in r) return fail(r.error);
    return r.config as vscode.DebugConfiguration;
  }
}

function fail(message: string): undefined {
  void vscode.window.showErrorMessage(`rvreplay: ${message}`, 'Open launch.json').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.debug.configure');
  });
  return undefined;
}

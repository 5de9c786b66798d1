// VS Code extension entry point. The debugger contribution, timeline and serial terminal arrive
// with their issues; for now activation only registers nothing, so the package is installable.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Intentionally empty until the debugger contribution lands.
}

export function deactivate(): void {}

// Placeholder until the VS Code client lands (issue: the editor).
export function activate(): void {}
export function deactivate(): void {}

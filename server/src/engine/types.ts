// Language-neutral vocabulary shared by the JS/TS and Python engines, the CLI and the
// language server. Positions are zero-based (line, UTF-16 character), like LSP, so the
// server can pass them through untouched; the CLI adds one when it prints.

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeverityOverride = Severity | 'off';
export type Language = 'js' | 'python';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** An absolute file path plus a range in it. */
export interface Location {
  file: string;
  /**
   * In a notebook (.ipynb): the index of the cell in its `cells` list, and `range` is in that
   * cell's source. Absent for every other file.
   */
  cell?: number;
  range: Range;
}

export interface RelatedInfo extends Location {
  message: string;
}

export interface TextEdit extends Location {
  newText: string;
}

export interface Fix {
  /** Precise title naming what the edit changes, shown in the lightbulb menu. */
  title: string;
  /** Stable id of the fix kind (for example `move-to-module-scope`), used by tests and fix-all. */
  id: string;
  /**
   * Safe to apply without review; only preferred fixes are applied by `--fix` and fix-all. With
   * `--fix --unsafe-fixes`, a finding without one gets its first fix that is not a suppression
   * (see engine/fixes.ts), so the order of a finding's fixes matters.
   */
  preferred: boolean;
  edits: TextEdit[];
}

export interface Finding {
  file: string;
  /** In a notebook: the cell `range` is in (see Location). */
  cell?: number;
  range: Range;
  rule: string;
  severity: Severity;
  message: string;
  /** The access path from the sent value to the bad part, e.g. `job.onDone` or `args[0] → self._lock`. */
  path?: string;
  related: RelatedInfo[];
  fixes: Fix[];
}

export interface RuleMeta {
  /** kebab-case; JS/TS rules are unprefixed, Python rules start with `py-`. Equals the doc page name. */
  id: string;
  /** `any`: a rule about sendcheck's own comments, for every language. */
  language: Language | 'any';
  defaultSeverity: Severity;
  /** One sentence for listings, SARIF rule descriptors and the settings UI. */
  summary: string;
}

/**
 * Where the engines read workspace files: the disk, or the editor's unsaved buffers over it.
 * Engines read workspace files only through this host (which refuses paths outside the
 * workspace); only sendcheck's own files (TypeScript's lib files, fallback typings, .wasm) are
 * read directly.
 */
export interface SourceHost {
  readFile(file: string): string | undefined;
  fileExists(file: string): boolean;
  /** Changes whenever the text of `file` changes; lets engines reuse work for unchanged files. */
  version(file: string): string;
  /** Folder queries for module resolution and tsconfig `include`, under the same limits as `readFile`. */
  directoryExists?(dir: string): boolean;
  /** Names of the entries of `dir` (files and folders), or [] when it cannot be listed. */
  listDirectory?(dir: string): { files: string[]; directories: string[] };
}

export interface CheckRequest {
  /** Absolute paths of the files whose findings are wanted. */
  files: string[];
  host: SourceHost;
  config: import('./config').SendcheckConfig;
  /** Polled between files; a long check stops early when it turns true. */
  isCancelled?: () => boolean;
  /** One-line messages for the user's log (a skipped file, a broken tsconfig, an internal error in one file). */
  log?: (message: string) => void;
}

export interface LanguageEngine {
  language: Language;
  rules: readonly RuleMeta[];
  handles(file: string): boolean;
  /** Loads what must be loaded asynchronously (e.g. tree-sitter's wasm); called once before `check`. */
  init?(): Promise<void>;
  check(request: CheckRequest): Finding[];
  /** Forget cached state about files, e.g. when closed or deleted. */
  forget?(files: string[]): void;
}

import type * as ts from 'typescript';
import type { Fix, RuleMeta, Severity } from '../../engine/types';
import type { Timeline } from '../detach';
import type { FixContext } from '../fixes/context';
import type { Origin } from '../origin';
import type { Sink } from '../sinks';

/** `bridge`: Electron's contextBridge, which proxies functions and copies plain objects without their prototype. */
export type Serializer = 'clone' | 'json' | 'bridge';
export type RuntimeTarget = 'node20' | 'node22' | 'browser' | 'electron-main' | 'electron-renderer';

/** Clone rules of a browser: Blink's serializer (an Electron renderer is a page). */
export const browserLike = (t: RuntimeTarget): boolean => t === 'browser' || t === 'electron-renderer';

/** One value in a transfer list, as written or pushed (transfer-list.ts reads them). */
export interface TransferEntry {
  expr: ts.Expression;
  /** Moved by `Piscina.move()`/`Tinypool.move()`: a view moves its buffer. */
  moved?: boolean;
  /** Pushed in a branch: it may be absent. */
  conditional?: boolean;
  /** Pushed in a loop or callback: it stands for several values. */
  repeated?: boolean;
}

export type TransferInfo =
  | { kind: 'none' }
  /**
   * A transfer list we cannot take apart (a call's result, a parameter): assume it holds what is
   * needed; `list` is the expression, whose element type can still be judged.
   */
  | { kind: 'unknown'; list?: ts.Expression }
  /**
   * `node` is the array literal the entries come from (where a fix adds or removes one), if any;
   * `open`: it may hold more than the entries (a spread, a helper that fills it).
   */
  | { kind: 'list'; entries: TransferEntry[]; node?: ts.ArrayLiteralExpression; open?: boolean };

/** What a rule knows about the place a value crosses. */
export interface SendContext {
  checker: ts.TypeChecker;
  program: ts.Program;
  serializer: Serializer;
  target: RuntimeTarget;
  transfer: TransferInfo;
  /** Names of the types present in the transfer list (`MessagePort`, `ArrayBuffer`, ...). */
  transferredTypes: Set<string>;
  /**
   * Whether the value at a path of the sent value is itself in the transfer list: false when the list
   * is known and holds other values only, undefined when the engine cannot tell.
   */
  isListed?(path: string): boolean | undefined;
  /** The sink accepts a transfer list, so a copied ArrayBuffer could have been moved instead. */
  canTransfer: boolean;
  /** Human name of the boundary, e.g. `worker.postMessage`. */
  api: string;
  /** For a wrapper (a derived sink), the real sink its parameter reaches (`channel.postMessage`): what kind of boundary it is. */
  sinkApi?: string;
  /** Electron's main process decodes the value: it knows no DOM objects. */
  receiver?: 'electron-main';
  /** A JSON channel other than child_process IPC (extension messaging). */
  jsonChannel?: 'extension';
  /**
   * The value crosses as a copy of its own properties (a wrapper sends `{ ...param }`): a real
   * Error at the root crosses with all its own fields, not as an Error.
   */
  spreadRoot?: boolean;
}

/** The facts about one type that the rules look at, computed once per visited type. */
export interface TypeFacts {
  type: ts.Type;
  /** Name of the type's symbol (`URL`, `Socket`, `Job`), or '' for anonymous types. */
  name: string;
  /** Declared by TypeScript's lib files, @types/node, fallback typings or a package: a platform or library type. */
  fromLibrary: boolean;
  origin?: Origin;
  /** Names of the class/interface and all its base types (`Socket`, `Duplex`, `Readable`, `Stream`, `EventEmitter`). */
  ancestry: string[];
  callable: boolean;
  /** An instance of a class (user or library), not the class itself. */
  classInstance: boolean;
  /** The declaration to point related information at (class or interface), when it is in user code. */
  declaration?: ts.Node;
}

export interface Verdict {
  severity: Severity;
  /** Completes the sentence `<path> <reason>`, e.g. `is a function: functions cannot be cloned (DataCloneError)`. */
  reason: string;
  /** Keep walking into the members after reporting (e.g. a class instance can also hold an arrow-function field). */
  descend?: boolean;
}

/** One own member of a sent object, as declared: what member rules (symbol keys, accessors) judge. */
export interface MemberFacts {
  symbol: ts.Symbol;
  /** The user-code declaration (`[kAttempts]: 3`, `get uptimeMs() {…}`). */
  declaration: ts.Declaration;
  /** The object it belongs to. */
  owner: TypeFacts;
  /** Keyed by a symbol (`[kAttempts]`): the walk does not visit these members' values. */
  symbolKeyed: boolean;
}

export interface TypeRule {
  meta: RuleMeta;
  /**
   * `path` is where the part sits in the sent value (`job.reply`), as in messages; `via` is the
   * member it was reached through (`job.events`), when it was reached through one.
   */
  check(facts: TypeFacts, ctx: SendContext, path: string, via?: ts.Symbol): Verdict | undefined;
  /** Judges a member by how it is declared rather than by its value's type; `path` names the member. */
  checkMember?(member: MemberFacts, ctx: SendContext, path: string): Verdict | undefined;
  /** Quick fixes for one finding of this rule, best first; builders shared by several rules live in `js/fixes/`. */
  fixes?(ctx: FixContext): Fix[];
}

export const jsRule = (id: string, defaultSeverity: Severity, summary: string): RuleMeta => ({ id, language: 'js', defaultSeverity, summary });

export function article(name: string): string {
  // Acronyms read letter by letter: "a URL", "an HTML...".
  if (/^U[A-Z]/.test(name)) return `a ${name}`;
  return /^[aeiouAEIOU]/.test(name) || /^[FHLMNRSX][A-Z]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** What a rule that judges calls and their order, rather than a sent value's type, is given. */
export interface FileContext {
  sourceFile: ts.SourceFile;
  /** Absolute path of the file being checked. */
  file: string;
  checker: ts.TypeChecker;
  program: ts.Program;
  sinks: readonly Sink[];
  /** Every transfer and close in the file, in order (detach.ts). */
  timeline: Timeline;
  /** The runtime whose semantics decide the severity at a sink. */
  targetOf(sink: Sink): RuntimeTarget;
}

export interface CallFinding {
  node: ts.Node;
  severity: Severity;
  message: string;
  related?: { node: ts.Node; message: string }[];
  fixes?: Fix[];
}

export interface FileRule {
  meta: RuleMeta;
  check(ctx: FileContext): CallFinding[];
}

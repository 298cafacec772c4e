import * as ts from 'typescript';
import { dropFromTransferList, listTheBuffer, transferACopy } from '../fixes/transfer';
import type { Sink } from '../sinks';
import { listedKind, listElementKind, pooledOrigin, poolLimit, storageKey, viewMemoryKey, type ListedKind } from '../transfer-list';
import { browserLike, jsRule, type CallFinding, type FileContext, type FileRule, type RuntimeTarget, type TransferEntry } from './rule';

// What a transfer list may hold, per runtime (measured on Node 20.20, 22.23, 24.21 and Chromium 156):
// each value at most once; ArrayBuffers (not a typed array or DataView: its `.buffer`), ports,
// streams, FileHandles and the browser's image/media objects. A SharedArrayBuffer, a plain object
// or a MessageChannel is refused everywhere; a Blob is ignored by Node 20 and refused since; the
// memory of a small Buffer is Node's shared pool, refused by Node 21+ and copied whole by Node 20.

// Electron's renderer clones like Chromium, its main process like current Node.
function refusedMessage(target: RuntimeTarget, index: number | undefined): string {
  if (target === 'node20') return 'TypeError [ERR_INVALID_TRANSFER_OBJECT]: Found invalid object in transferList';
  if (browserLike(target)) return `DataCloneError: Value at index ${index ?? 'N'} does not have a transferable type.`;
  return 'DataCloneError: Found invalid value in transferList.';
}

function duplicateMessage(target: RuntimeTarget, name: string, index: number | undefined): string {
  if (!browserLike(target)) return `DataCloneError: Transfer list contains duplicate ${name}`;
  return name === 'MessagePort' ? `DataCloneError: Message port at index ${index ?? 'N'} is a duplicate of an earlier port.` : `DataCloneError: ${name} at index ${index ?? 'N'} is a duplicate of an earlier ${name}.`;
}

export const invalidTransferList: FileRule = {
  meta: jsRule('invalid-transfer-list', 'error', 'A transfer list holds what the runtime refuses to transfer: a value listed twice, a typed array instead of its buffer, a SharedArrayBuffer, a Blob, a small Buffer from Node\'s pool.'),
  check(ctx) {
    const out: CallFinding[] = [];
    for (const sink of ctx.sinks) {
      const target = ctx.targetOf(sink);
      if (sink.transfer.kind === 'unknown' && sink.transfer.list) out.push(...judgeWholeList(sink.transfer.list, target, ctx));
      if (sink.transfer.kind !== 'list') continue;
      const seen = new Map<string, TransferEntry>();
      const literal = sink.transfer.node;
      for (const entry of sink.transfer.entries) {
        const index = literal && !entry.moved ? literal.elements.indexOf(entry.expr) : -1;
        const at = index >= 0 ? index : undefined;
        const kind = listedKind(entry, ctx.checker, ctx.program);
        const verdict = judgeEntry(entry, kind, target, at, ctx) ?? duplicate(entry, kind, seen, target, at, ctx);
        if (verdict) out.push({ ...verdict, fixes: safeFixes(() => verdict.fixes?.(sink, entry) ?? []) });
      }
    }
    return out;
  },
};

type Verdict = Omit<CallFinding, 'fixes'> & { fixes?: (sink: Sink, entry: TransferEntry) => CallFinding['fixes'] };

function text(e: ts.Expression): string {
  const t = e.getText();
  return t.length <= 40 ? t : `${t.slice(0, 37)}…`;
}

function judgeEntry(entry: TransferEntry, kind: ListedKind, target: RuntimeTarget, index: number | undefined, ctx: FileContext): Verdict | undefined {
  const node = entry.expr;
  const what = text(node);
  switch (kind.kind) {
    case 'view':
      return {
        node,
        severity: 'error',
        message: `${what} is a ${kind.name}, not a transferable: list its memory, \`${what}.buffer\` (${refusedMessage(target, index)})`,
        fixes: (sink, e) => listTheBuffer(sink, e, ctx.file),
      };
    case 'shared':
      return {
        node,
        severity: 'error',
        message: `${what} is a SharedArrayBuffer: it is shared, never transferred, so it cannot be in a transfer list (${refusedMessage(target, index)})`,
        fixes: (sink, e) => dropFromTransferList(sink, e, ctx.file, 'it crosses as shared memory'),
      };
    case 'blob':
      if (target === 'node20') {
        return { node, severity: 'hint', message: `${what} is a ${kind.name}, which is not transferable: Node 20 ignores it in a transfer list, Node 21+ and browsers throw (DataCloneError: Found invalid value in transferList.)`, fixes: (sink, e) => dropFromTransferList(sink, e, ctx.file, 'it is copied') };
      }
      return { node, severity: 'error', message: `${what} is a ${kind.name}: it is cloned, never transferred (${refusedMessage(target, index)})`, fixes: (sink, e) => dropFromTransferList(sink, e, ctx.file, 'it is copied') };
    case 'not-transferable':
      if (entry.moved) return undefined;
      return {
        node,
        severity: 'error',
        message: `${what} is ${describeKind(kind.name)}, which cannot be transferred (${refusedMessage(target, index)})`,
        fixes: (sink, e) => dropFromTransferList(sink, e, ctx.file, 'it is copied'),
      };
    case 'transferable': {
      if (kind.name !== 'ArrayBuffer' || browserLike(target)) return undefined;
      const pool = pooledOrigin(entry, ctx.checker, ctx.program);
      if (!pool) return undefined;
      const onlyNode24 = pool.size !== undefined && pool.size >= poolLimit.node20;
      if (onlyNode24 && target === 'node20') return undefined;
      const line = pool.producer.getSourceFile().getLineAndCharacterOfPosition(pool.producer.getStart()).line + 1;
      const sized = pool.size === undefined ? `under ${poolLimit.node20 / 1024} KiB (${poolLimit.node24 / 1024} KiB on Node 24)` : `of ${pool.size} bytes`;
      const related = [{ node: pool.producer, message: `the Buffer is allocated here by ${pool.name}` }];
      // Dropping it from the list is right when a view is sent (its bytes are cloned), not the pool's ArrayBuffer or a moved Buffer.
      const fixes = (sink: Sink, e: TransferEntry) => [...transferACopy(sink, e, ctx), ...(e.moved || sendsItself(sink, e) ? [] : dropFromTransferList(sink, e, ctx.file, 'its bytes are copied', 'drop-from-transfer-list', false))];
      const subject = entry.moved ? `${what} is a Buffer` : `${what} is the memory of a Buffer`;
      if (target === 'node20') {
        return { node, severity: 'warning', related, fixes, message: `${subject} from ${pool.name} (line ${line}), a slice of Node's shared 8 KiB Buffer pool: Node 20 copies the whole pool instead of transferring, so other Buffers' bytes go along and the sender keeps its copy (Node 21+ throws)` };
      }
      return { node, severity: 'error', related, fixes, message: `${subject} ${sized} from ${pool.name} (line ${line}): Node serves those from its shared Buffer pool, which cannot be transferred (DataCloneError: Cannot transfer object of unsupported type.${onlyNode24 ? ' on Node 24' : ''})` };
    }
    default:
      return undefined;
  }
}

/** The message itself holds the listed `x.buffer` (not only the view `x`). */
function sendsItself(sink: Sink, entry: TransferEntry): boolean {
  const text = entry.expr.getText();
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (n.getText() === text && n !== entry.expr) found = true;
    else ts.forEachChild(n, visit);
  };
  for (const v of sink.values) visit(v.expr);
  return found;
}

function describeKind(name: string): string {
  if (name === 'function' || name === 'an object' || name === 'an array') return name === 'function' ? 'a function' : name;
  if (/^[a-z]/.test(name)) return `a ${name}`;
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

function duplicate(entry: TransferEntry, kind: ListedKind, seen: Map<string, TransferEntry>, target: RuntimeTarget, index: number | undefined, ctx: FileContext): Verdict | undefined {
  // The same value twice throws whatever it is: a duplicate transferable, or an invalid value anyway.
  if (entry.conditional || entry.repeated || (kind.kind !== 'transferable' && kind.kind !== 'unknown')) return undefined;
  // Views that are members of an object made elsewhere are keyed by the buffer they were built over.
  const key = viewMemoryKey(entry.expr, ctx.checker, ctx.program) ?? storageKey(entry.expr, ctx.checker);
  if (!key) return undefined;
  const first = seen.get(key);
  if (!first) {
    seen.set(key, entry);
    return undefined;
  }
  const same = first.expr.getText() === entry.expr.getText();
  // Untyped, the timeline may know it from the callers (`submit(new ArrayBuffer(8))`).
  const name = kind.kind === 'transferable' ? kind.name : ctx.timeline.transfers.find((t) => t.expr === entry.expr || t.expr === first.expr)?.what;
  const why = same ? 'is listed twice in the transfer list' : `is the same ${name ?? 'value'} as \`${text(first.expr)}\`, listed before it`;
  return {
    node: entry.expr,
    severity: 'error',
    message: `${text(entry.expr)} ${why} (${duplicateMessage(target, name ?? '…', index)})`,
    related: [{ node: first.expr, message: `${text(first.expr)} is listed here` }],
    fixes: (sink, e) => dropFromTransferList(sink, e, ctx.file, 'it is already listed', 'dedupe-transfer-list'),
  };
}

/** A list we cannot take apart whose element type is refused: `postMessage(chunks, chunks)` with `chunks: Uint8Array[]`. */
function judgeWholeList(list: ts.Expression, target: RuntimeTarget, ctx: FileContext): CallFinding[] {
  const kind = listElementKind(list, ctx.checker, ctx.program);
  const what = text(list);
  if (kind.kind === 'view') return [{ node: list, severity: 'error', message: `${what} holds ${kind.name}s, not transferables: list their memory, \`${what}.map((v) => v.buffer)\` (${refusedMessage(target, undefined)})` }];
  if (kind.kind === 'shared') return [{ node: list, severity: 'error', message: `${what} holds SharedArrayBuffers: they are shared, never transferred (${refusedMessage(target, undefined)})` }];
  if (kind.kind === 'blob' && target !== 'node20') return [{ node: list, severity: 'error', message: `${what} holds ${kind.name}s: they are cloned, never transferred (${refusedMessage(target, undefined)})` }];
  return [];
}

function safeFixes(build: () => CallFinding['fixes']): CallFinding['fixes'] {
  try {
    return build() ?? [];
  } catch {
    return [];
  }
}

import * as ts from 'typescript';
import type { CloseEvent } from '../detach';
import { moveCloseAfterSend, terminateAfterReply } from '../fixes/transfer';
import { listedKind, storageKey } from '../transfer-list';
import { browserLike, jsRule, type CallFinding, type FileRule } from './rule';

// A message posted on a port after its `close()`, or to a worker after `terminate()`, is dropped
// without an error (Node 20/24, Chromium); a closed BroadcastChannel throws InvalidStateError.
// Node also refuses a closed port in a transfer list, while Chromium transfers it (measured).

export const sendAfterClose: FileRule = {
  meta: jsRule('send-after-close', 'warning', 'A message is posted on a port or channel after close(), or to a worker after terminate(): it is dropped, or it throws.'),
  check(ctx) {
    const out: CallFinding[] = [];
    for (const sink of ctx.sinks) {
      const callee = sink.call.expression;
      if (ts.isCallExpression(sink.call) && ts.isPropertyAccessExpression(callee) && callee.name.text === 'postMessage') {
        const receiver = callee.expression;
        const key = storageKey(receiver, ctx.checker);
        const closed = key && ctx.timeline.closedBefore(key, sink.call);
        if (closed) out.push(onClosed(receiver, closed.close, closed.loop, sink.call, ctx.file));
      }
      if (sink.transfer.kind !== 'list' || browserLike(ctx.targetOf(sink))) continue;
      for (const entry of sink.transfer.entries) {
        const kind = listedKind(entry, ctx.checker, ctx.program);
        if (kind.kind !== 'transferable' || kind.name !== 'MessagePort') continue;
        const key = storageKey(entry.expr, ctx.checker);
        const closed = key && ctx.timeline.closedBefore(key, sink.call);
        if (!closed) continue;
        out.push({
          node: entry.expr,
          severity: 'error',
          message: `${entry.expr.getText()} was closed on line ${lineOf(closed.close.call)}: Node refuses a closed port in a transfer list (DataCloneError: MessagePort in transfer list is already detached)`,
          related: [{ node: closed.close.call, message: 'closed here' }],
          fixes: moveCloseAfterSend(closed.close, sink.call, ctx.file),
        });
      }
    }
    return out;
  },
};

function lineOf(n: ts.Node): number {
  return n.getSourceFile().getLineAndCharacterOfPosition(n.getStart()).line + 1;
}

function onClosed(receiver: ts.Expression, close: CloseEvent, loop: ts.Node | undefined, send: ts.Node, file: string): CallFinding {
  const name = receiver.getText();
  const when = loop ? `at the end of every run of the loop (line ${lineOf(loop)}), so from the second run on` : `on line ${lineOf(close.call)}`;
  const related = [{ node: close.call, message: close.helper ? `${close.helper}() calls ${close.method}() on it here` : `${close.method}() is called here` }];
  // A worker terminated right after the send is gone before it reads the message: moving terminate() does not help.
  // Moved after the send, it must also wait for the worker to handle the message.
  const fixes = loop ? [] : close.what === 'Worker' ? terminateAfterReply(close, receiver, send, file) : moveCloseAfterSend(close, send, file);
  if (close.what === 'BroadcastChannel') return { node: receiver, severity: 'error', message: `${name} is closed ${when}: posting on a closed BroadcastChannel throws (InvalidStateError: BroadcastChannel is closed.)`, related, fixes };
  if (close.what === 'Worker') return { node: receiver, severity: 'warning', message: `${name} is terminated ${when}: the message is dropped without an error; post it before terminate() and terminate only once the worker has handled it (after its reply, e.g. \`await once(${name}, 'message')\`)`, related, fixes };
  return { node: receiver, severity: 'warning', message: `${name} is closed ${when}: a message posted on a closed MessagePort is dropped without an error`, related, fixes };
}

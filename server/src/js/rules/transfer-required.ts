import { passPathInsteadOfHandle } from '../fixes/path-for-handle';
import { addToTransferList } from '../fixes/transfer';
import { article, jsRule, type TypeRule } from './rule';

// Objects that can only cross by transfer: present in the message but absent from the
// transfer list, Node throws ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST / DataCloneError.
export const needsTransfer = new Set(['MessagePort', 'ReadableStream', 'WritableStream', 'TransformStream', 'FileHandle', 'MessageChannel', 'OffscreenCanvas']);

export const transferRequired: TypeRule = {
  meta: jsRule('transfer-required', 'error', 'A MessagePort, web stream or FileHandle is sent without being listed in the transfer list, which throws.'),
  check(facts, ctx, path) {
    if (!facts.fromLibrary) return undefined;
    const name = facts.ancestry.find((n) => needsTransfer.has(n));
    if (!name) return undefined;
    if (ctx.serializer === 'json') return { severity: 'error', reason: `is ${article(name)}: it cannot be sent over JSON IPC at all` };
    if (ctx.transfer.kind === 'unknown') return undefined;
    if (name === 'MessageChannel') {
      if (ctx.transferredTypes.has('MessagePort')) return undefined;
      return { severity: 'error', reason: 'is a MessageChannel: its ports must be in the transfer list (DataCloneError); send `port2` and transfer it' };
    }
    if (ctx.transferredTypes.has(name)) {
      // The list holds a value of that type, but not this one: `postMessage({ a, b }, [b])`.
      if (ctx.isListed?.(path) !== false) return undefined;
      return { severity: 'error', reason: `is ${article(name)} not in the transfer list (it lists another ${name}): it can only be transferred, never copied (DataCloneError)` };
    }
    if (!ctx.canTransfer) return { severity: 'error', reason: `is ${article(name)}: it can only cross by transfer, which ${ctx.api} does not offer` };
    return { severity: 'error', reason: `is ${article(name)} not in the transfer list: it can only be transferred, never copied (DataCloneError)` };
  },
  // Transfer is the only way such a value crosses; preferred unless the sender still uses it afterwards.
  fixes: (ctx) => [...addToTransferList(ctx, true), ...passPathInsteadOfHandle(ctx)],
};

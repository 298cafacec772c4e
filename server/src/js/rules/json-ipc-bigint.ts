import * as ts from 'typescript';
import { sendBigintString } from '../fixes/data-form';
import { forkWithAdvancedSerialization } from '../fixes/serialization';
import { jsRule, type TypeRule } from './rule';

// JSON.stringify throws `TypeError: Do not know how to serialize a BigInt`, so the send throws.
export const jsonIpcBigint: TypeRule = {
  meta: jsRule('json-ipc-bigint', 'error', 'A bigint is sent over JSON IPC (child_process without `serialization: "advanced"`, Chrome extension messaging), where JSON serialization throws.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'json' || !(facts.type.flags & ts.TypeFlags.BigIntLike)) return undefined;
    if (ctx.jsonChannel === 'extension') return { severity: 'error', reason: 'is a bigint: Chrome\'s extension messaging throws "Could not serialize message"; send it as a string' };
    return { severity: 'error', reason: 'is a bigint: JSON IPC throws "Do not know how to serialize a BigInt"; send it as a string or fork with `serialization: \'advanced\'`' };
  },
  fixes: (ctx) => [...forkWithAdvancedSerialization(ctx), ...sendBigintString(ctx)],
};

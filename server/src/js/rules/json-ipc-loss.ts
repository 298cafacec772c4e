import * as ts from 'typescript';
import { sendCollectionEntries, sendDateString } from '../fixes/data-form';
import { forkWithAdvancedSerialization } from '../fixes/serialization';
import { article, jsRule, type TypeRule } from './rule';

const becomesEmpty = new Set(['Map', 'Set', 'ReadonlyMap', 'ReadonlySet', 'ArrayBuffer', 'SharedArrayBuffer', 'RegExp', 'Error', 'Blob']);
const typedArrays = new Set(['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array', 'DataView']);

// Default child_process / cluster IPC is JSON: no exception, just different data on the other side.
export const jsonIpcLoss: TypeRule = {
  meta: jsRule('json-ipc-loss', 'warning', 'A value that JSON silently changes (Map/Set → {}, Date → string, functions and undefined dropped, class → plain object) is sent over JSON IPC or Chrome extension messaging.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'json') return undefined;
    const t = facts.type;
    // Chrome serializes extension messages as JSON (Firefox clones them): no option to change that.
    const extension = ctx.jsonChannel === 'extension';
    const fix = extension ? '; convert it explicitly (Chrome sends extension messages as JSON)' : "; fork with `serialization: 'advanced'` or convert it explicitly";
    const channel = extension ? 'extension messaging' : 'JSON IPC';
    if (facts.callable) return { severity: 'warning', reason: `is a function: ${channel} silently drops it${fix}` };
    if (t.flags & ts.TypeFlags.ESSymbolLike) return { severity: 'warning', reason: `is a symbol: ${channel} silently drops it${fix}` };
    if (t.flags & ts.TypeFlags.Undefined) return { severity: 'warning', reason: `is undefined: ${channel} drops the key (and turns it into null in arrays)${fix}` };
    if (!facts.fromLibrary && !facts.classInstance) return undefined;
    if (facts.name === 'Date') return { severity: 'warning', reason: `is a Date: ${channel} turns it into an ISO string${fix}` };
    if (becomesEmpty.has(facts.name) || facts.ancestry.some((n) => n === 'Map' || n === 'Set' || n === 'Error')) return { severity: 'warning', reason: `is ${article(facts.name)}: ${channel} turns it into \`{}\`${fix}` };
    if (typedArrays.has(facts.name) || facts.name === 'Buffer') return { severity: 'warning', reason: `is ${article(facts.name)}: ${channel} turns it into an object of numbered keys${fix}` };
    if (facts.classInstance) return { severity: 'warning', reason: `is ${article(facts.name)} instance: ${channel} sends only its enumerable fields, as a plain object${fix}`, descend: true };
    return undefined;
  },
  fixes: (ctx) => [...forkWithAdvancedSerialization(ctx, false), ...sendDateString(ctx), ...sendCollectionEntries(ctx)],
};

import { keepEmitterOnThisSide, sendStatsFields } from '../fixes/data-form';
import { addRehydrateHooks } from '../fixes/rehydrate';
import { article, jsRule, type TypeRule } from './rule';

// Measured on Node 20 and 24 (and per the HTML spec in browsers): an instance of a class with
// methods, accessors or #private fields does not throw, it arrives as a plain object: the
// prototype, the methods, getters and private state are gone.
export const classInstanceLoss: TypeRule = {
  meta: jsRule('class-instance-loss', 'warning', 'A class instance with methods, accessors or #private fields is sent: it arrives as a plain object without them.'),
  check(facts, ctx, path) {
    // A Buffer is a Uint8Array subclass: the serializer writes the view and the other side gets a
    // plain Uint8Array (measured on Node 20 and 24), so `toString('base64')` and friends are gone.
    // One whose memory is moved (`Piscina.move(buf)`, listed for transfer) is a payload of bytes handed over.
    if (facts.fromLibrary && facts.name === 'Buffer' && ctx.serializer === 'clone' && (facts.origin?.module === 'global' || facts.origin?.module === 'buffer')) {
      if (ctx.isListed?.(path) === true) return undefined;
      return {
        severity: 'warning',
        reason: "is a Buffer: it arrives as a plain Uint8Array, without Buffer's methods (toString('base64'), readUInt32LE()...); wrap it again on the other side with `Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)`",
      };
    }
    if (!facts.classInstance) return undefined;
    const name = facts.name || 'anonymous class';
    if (ctx.serializer === 'json') return undefined;
    return {
      severity: 'warning',
      reason: `is ${article(name)} instance: it arrives as a plain object without its prototype, methods, getters or #private fields`,
      descend: true,
    };
  },
  fixes: (ctx) => [...addRehydrateHooks(ctx), ...sendStatsFields(ctx), ...keepEmitterOnThisSide(ctx)],
};

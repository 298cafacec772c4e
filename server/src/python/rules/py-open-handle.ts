import { leaveOutUnreadFix, passPathFix, rehydrateHooksFix, reopenFromFactoryFix, returnDataFix, sendValueFix } from '../fixes';
import { pyRule } from './types';

export const pyOpenHandle = pyRule(
  'py-open-handle',
  'An open file, sqlite3 connection or cursor, or (for plain pickle) a socket is sent to another process.',
  'an open handle is an operating-system resource of this process and cannot be pickled',
  'pass the path or address instead and open it on the other side (a Pool `initializer` can open one per worker)',
  (ctx) => (ctx.problem.holder ? [rehydrateHooksFix(ctx.problem, false, ctx.ev) ?? leaveOutUnreadFix(ctx)] : ctx.returnedBy ? [returnDataFix(ctx)] : [passPathFix(ctx), reopenFromFactoryFix(ctx), sendValueFix(ctx)]),
);

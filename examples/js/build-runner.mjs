// A build runner forks a child per build. child_process IPC is JSON unless the child is forked
// with `serialization: 'advanced'`: the Set arrives as {}, the Date as a string, and the bigint
// makes send() throw.
import { fork } from 'node:child_process';

const child = fork(new URL('./build-child.mjs', import.meta.url));

export function build(targets) {
  child.send({ targets: new Set(targets), startedAt: new Date(), budgetBytes: 10n ** 12n });
}

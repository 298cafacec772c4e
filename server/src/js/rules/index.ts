import type { RuleMeta } from '../../engine/types';
import { classInstanceLoss } from './class-instance-loss';
import { contextBridgeLoss } from './context-bridge-loss';
import { electronMainDomObject } from './electron-main-dom-object';
import { errorSubclassLoss } from './error-subclass-loss';
import { functionSourceClosure } from './function-source-closure';
import { getterFrozen } from './getter-frozen';
import { jsonIpcBigint } from './json-ipc-bigint';
import { jsonIpcCircular } from './json-ipc-circular';
import { jsonIpcLoss } from './json-ipc-loss';
import { noFunction } from './no-function';
import { noHostObject } from './no-host-object';
import { noProxyMeta } from './no-proxy';
import { noSymbol } from './no-symbol';
import { symbolKeyLoss } from './symbol-key-loss';
import { noUncloneableBuiltin } from './no-uncloneable-builtin';
import { platformObject } from './platform-object';
import { invalidTransferList } from './invalid-transfer-list';
import type { FileRule, TypeRule } from './rule';
import { sendAfterClose } from './send-after-close';
import { transferRequired } from './transfer-required';
import { transferableCopied } from './transferable-copied';
import { useAfterTransfer } from './use-after-transfer';

/** Order matters: the first rule that claims a part of a value reports it. */
export const typeRules: readonly TypeRule[] = [
  jsonIpcBigint,
  jsonIpcCircular,
  jsonIpcLoss,
  transferRequired,
  electronMainDomObject,
  platformObject,
  noUncloneableBuiltin,
  noHostObject,
  noFunction,
  noSymbol,
  symbolKeyLoss,
  getterFrozen,
  contextBridgeLoss,
  errorSubclassLoss,
  classInstanceLoss,
  transferableCopied,
];

/** Rules that judge a file's calls and their order: transfer lists, what was transferred or closed before a send. */
export const fileRules: readonly FileRule[] = [invalidTransferList, useAfterTransfer, sendAfterClose, functionSourceClosure];

export const jsRules: readonly RuleMeta[] = [...typeRules.map((r) => r.meta), noProxyMeta, ...fileRules.map((r) => r.meta)];

import type { RuleMeta } from '../../engine/types';
import { classInstanceLoss } from './class-instance-loss';
import { contextBridgeLoss } from './context-bridge-loss';
import { electronMainDomObject } from './electron-main-dom-object';
import { errorSubclassLoss } from './error-subclass-loss';
import { jsonIpcBigint } from './json-ipc-bigint';
import { jsonIpcLoss } from './json-ipc-loss';
import { noFunction } from './no-function';
import { noHostObject } from './no-host-object';
import { noProxyMeta } from './no-proxy';
import { noSymbol } from './no-symbol';
import { noUncloneableBuiltin } from './no-uncloneable-builtin';
import { platformObject } from './platform-object';
import type { TypeRule } from './rule';
import { transferRequired } from './transfer-required';
import { transferableCopied } from './transferable-copied';
import { useAfterTransferMeta } from './use-after-transfer';

/** Order matters: the first rule that claims a part of a value reports it. */
export const typeRules: readonly TypeRule[] = [
  jsonIpcBigint,
  jsonIpcLoss,
  transferRequired,
  electronMainDomObject,
  platformObject,
  noUncloneableBuiltin,
  noHostObject,
  noFunction,
  noSymbol,
  contextBridgeLoss,
  errorSubclassLoss,
  classInstanceLoss,
  transferableCopied,
];

export const jsRules: readonly RuleMeta[] = [...typeRules.map((r) => r.meta), noProxyMeta, useAfterTransferMeta];

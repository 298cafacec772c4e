import { pyCeleryJson } from './py-celery-json';
import { pyContextVar } from './py-context-var';
import { checkCopiedIteratorState, pyCopiedIteratorState } from './py-copied-iterator-state';
import { checkExceptionCauseLost, pyExceptionCauseLost } from './py-exception-cause-lost';
import { pyForkCopy } from './py-fork-copy';
import { pyLambda } from './py-lambda';
import { pyLocalObject } from './py-local-object';
import { checkLostMutation, pyLostMutation } from './py-lost-mutation';
import { checkReduceDropsState, pyReduceDropsState } from './py-reduce-drops-state';
import { checkRuntimeClassAttribute, pyRuntimeClassAttribute } from './py-runtime-class-attribute';
import { pyMainGuardObject } from './py-main-guard-object';
import { pyMissingMainGuard } from './py-missing-main-guard';
import { pyNotebookDefinition } from './py-notebook-definition';
import { pyMpInheritOnly } from './py-mp-inherit-only';
import { pyOpenHandle } from './py-open-handle';
import { pyThreadLocal } from './py-thread-local';
import { pyThreadLock } from './py-thread-lock';
import { pyThreadQueue } from './py-thread-queue';
import { pyUnpicklableException } from './py-unpicklable-exception';
import { pyUnpicklableObject } from './py-unpicklable-object';
import type { Finding } from '../../engine/types';
import type { ModuleModel } from '../model';
import type { Evaluator } from '../resolve';
import type { Sink } from '../sinks';
import type { PyRule } from './types';

export const pythonRules: readonly PyRule[] = [
  pyLambda,
  pyLocalObject,
  pyMainGuardObject,
  pyMissingMainGuard,
  pyNotebookDefinition,
  pyThreadLock,
  pyThreadQueue,
  pyMpInheritOnly,
  pyThreadLocal,
  pyContextVar,
  pyOpenHandle,
  pyUnpicklableObject,
  pyUnpicklableException,
  pyForkCopy,
  pyCeleryJson,
  pyLostMutation,
  pyRuntimeClassAttribute,
  pyCopiedIteratorState,
  pyReduceDropsState,
  pyExceptionCauseLost,
];

/**
 * Rules that judge what a sink's worker does with what it receives (state lost across the
 * boundary), run once per module over its direct sinks.
 */
export const sinkChecks: ((model: ModuleModel, ev: Evaluator, sinks: Sink[]) => Finding[])[] = [checkLostMutation, checkRuntimeClassAttribute, checkCopiedIteratorState, checkReduceDropsState, checkExceptionCauseLost];

export const pythonRuleById = new Map(pythonRules.map((r) => [r.meta.id, r]));

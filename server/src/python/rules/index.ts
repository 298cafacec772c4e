import { pyCeleryJson } from './py-celery-json';
import { pyContextVar } from './py-context-var';
import { pyForkCopy } from './py-fork-copy';
import { pyLambda } from './py-lambda';
import { pyLocalObject } from './py-local-object';
import { pyMainGuardObject } from './py-main-guard-object';
import { pyMissingMainGuard } from './py-missing-main-guard';
import { pyMpInheritOnly } from './py-mp-inherit-only';
import { pyOpenHandle } from './py-open-handle';
import { pyThreadLocal } from './py-thread-local';
import { pyThreadLock } from './py-thread-lock';
import { pyThreadQueue } from './py-thread-queue';
import { pyUnpicklableException } from './py-unpicklable-exception';
import { pyUnpicklableObject } from './py-unpicklable-object';
import type { PyRule } from './types';

export const pythonRules: readonly PyRule[] = [
  pyLambda,
  pyLocalObject,
  pyMainGuardObject,
  pyMissingMainGuard,
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
];

export const pythonRuleById = new Map(pythonRules.map((r) => [r.meta.id, r]));

import { spreadCollectionIterator, spreadFiniteGenerator, useStrongCollection } from '../fixes/data-form';
import { awaitPromise, sendDataForm, sendIntlOptions } from '../fixes/plain-data';
import { article, jsRule, type TypeRule } from './rule';

// Built-ins the HTML structured-clone algorithm has no serialization for (measured on Node 20 and 24).
const uncloneable = new Map<string, string>([
  ['Promise', 'a Promise is a pending computation, not data; await it and send the result'],
  ['WeakMap', 'weak collections cannot be cloned'],
  ['WeakSet', 'weak collections cannot be cloned'],
  ['WeakRef', 'weak references cannot be cloned'],
  ['FinalizationRegistry', 'a FinalizationRegistry cannot be cloned'],
  // No edit is right for every generator (one that never ends cannot be spread): say what to send by hand.
  ['Generator', 'generators hold a suspended function; send the values it yields (`[...gen]` when it ends, a bounded batch when it does not) or the arguments it is created from, and create it on the other side'],
  ['AsyncGenerator', 'generators hold a suspended function; send the values it yields (collected with `for await` when it ends) or the arguments it is created from, and create it on the other side'],
  ['IterableIterator', 'iterators hold a suspended function'],
  ['IteratorObject', 'iterators hold a suspended function'],
  ['MapIterator', 'iterators hold a suspended function; send the values (`[...iterator]`)'],
  ['SetIterator', 'iterators hold a suspended function; send the values (`[...iterator]`)'],
  ['ArrayIterator', 'iterators hold a suspended function; send the values (`[...iterator]`)'],
  ['Memory', 'WebAssembly.Memory cannot be cloned; send its buffer or use a shared memory'],
  ['Instance', 'WebAssembly.Instance cannot be cloned; send the Module'],
]);
const intl = new Set(['Collator', 'DateTimeFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'Locale', 'Segmenter', 'DisplayNames', 'DurationFormat']);

export const noUncloneableBuiltin: TypeRule = {
  meta: jsRule('no-uncloneable-builtin', 'error', 'A Promise, WeakMap/WeakSet/WeakRef, generator, Intl formatter or WebAssembly.Memory is sent, which throws DataCloneError.'),
  check(facts, ctx) {
    if (ctx.serializer === 'json' || !facts.fromLibrary || facts.origin?.module !== 'dom') return undefined;
    // The context bridge proxies promises and copies other objects key by key; only weak collections reach its structured clone.
    if (ctx.serializer === 'bridge' && facts.name !== 'WeakMap' && facts.name !== 'WeakSet') return undefined;
    // Only the formatter objects: the rest of the Intl namespace (ResolvedNumberFormatOptions, parts...) is plain data.
    if (intl.has(facts.name) && facts.origin.container.startsWith('Intl')) {
      return { severity: 'error', reason: `is an Intl.${facts.name}: Intl objects cannot be cloned (DataCloneError); send the locale and options instead` };
    }
    const why = uncloneable.get(facts.name);
    if (!why) return undefined;
    if ((facts.name === 'Memory' || facts.name === 'Instance') && facts.origin.container !== 'WebAssembly') return undefined;
    return { severity: 'error', reason: `is ${article(facts.name)}: ${why} (DataCloneError)` };
  },
  fixes: (ctx) => [...awaitPromise(ctx), ...sendIntlOptions(ctx), ...useStrongCollection(ctx), ...spreadFiniteGenerator(ctx), ...spreadCollectionIterator(ctx), ...sendDataForm(ctx)],
};

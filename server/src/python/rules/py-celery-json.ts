import type { Finding, Fix } from '../../engine/types';
import type { CallSite, FunctionInfo, ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { callArgs, classChain, type Evaluator, type Value } from '../resolve';
import { pyRule } from './types';

// Celery sends a task's arguments through its task serializer, JSON unless the app says
// otherwise (kombu's JSON: datetimes, Decimals, UUIDs and tuples are encoded; sets, bytes and
// instances of your classes are not). `task.delay(...)` raises kombu's EncodeError in the caller.

export const pyCeleryJson = pyRule(
  'py-celery-json',
  "A value Celery's default JSON serializer cannot encode (a set, bytes, an instance of your class) is passed to `task.delay(...)` or `task.apply_async(...)`.",
  "Celery encodes task arguments as JSON by default, and JSON has no such type",
  'send plain data (lists, dicts, strings, numbers; a dict of the object\'s fields) and rebuild the object in the task, or switch the app to `task_serializer = "pickle"` with a matching `accept_content`',
);

/** `@app.task`, `@app.task(bind=True)`, `@shared_task`, `@celery.task()`. */
function isCeleryTask(fn: FunctionInfo): boolean {
  return fn.decorators.some((d) => /^@\s*(?:[\w.]+\.task|shared_task|[\w.]+\.shared_task)\b/.test(d.text) && !/serializer\s*=\s*['"](?!json)/.test(d.text));
}

/** The app is told to use another serializer where the task is defined. */
function otherSerializer(model: ModuleModel): boolean {
  return /task_serializer\s*[=:]\s*['"](?!json['"])/.test(model.root.text);
}

export function checkCeleryJson(model: ModuleModel, ev: Evaluator): Finding[] {
  const findings: Finding[] = [];
  for (const site of model.calls) {
    const fnNode = site.node.childForFieldName('function');
    if (fnNode?.type !== 'attribute') continue;
    const method = fnNode.childForFieldName('attribute')!.text;
    if (method !== 'delay' && method !== 'apply_async') continue;
    const task = ev.eval(fnNode.childForFieldName('object')!, site.scope);
    if (task.kind !== 'function' || !isCeleryTask(task.fn) || otherSerializer(task.fn.module) || otherSerializer(model)) continue;
    const { positional, keywords } = callArgs(site.node);
    const sent: { label: string; node: Node }[] = [];
    if (method === 'delay') {
      positional.forEach((n, i) => sent.push({ label: `args[${i}]`, node: n }));
      for (const [k, n] of keywords) sent.push({ label: `kwargs[${k}]`, node: n });
    } else {
      const serializer = keywords.get('serializer');
      if (serializer && !/^['"]json['"]$/.test(serializer.text)) continue;
      const args = keywords.get('args') ?? positional[0];
      const kwargs = keywords.get('kwargs') ?? positional[1];
      if (args) sent.push({ label: 'args', node: args });
      if (kwargs) sent.push({ label: 'kwargs', node: kwargs });
    }
    const name = `${task.fn.name}.${method}`;
    for (const s of sent) {
      const bad = jsonProblem(ev.eval(s.node, site.scope), [s.label], ev, 0);
      if (!bad) continue;
      const f = finding(model, site, s.node, name, bad);
      const fix = bad.typeName === 'set' ? sendSetAsListFix(model, task.fn, s.node, bad.segments) : undefined;
      if (fix) f.fixes.push(fix);
      findings.push(f);
    }
  }
  return findings;
}

/** Calls that read a set only by iterating it: a list of its items reads the same. */
const iteratingCalls = new Set(['sorted', 'list', 'tuple', 'len', 'set', 'frozenset', 'any', 'all', 'sum', 'min', 'max']);

/**
 * A set sent as a task argument to a task that only iterates it (`sorted(tags)`, `for t in tags`,
 * `t in tags`): send `list(tags)`, which JSON encodes as an array and the task reads the same way.
 */
function sendSetAsListFix(model: ModuleModel, task: FunctionInfo, sent: Node, segments: string[]): Fix | undefined {
  if (segments.length !== 1) return undefined;
  const m = /^args\[(\d+)\]$/.exec(segments[0]);
  if (!m) return undefined;
  const index = Number(m[1]);
  // `delay(a, tags)` sends the node itself; `apply_async(args=(a, tags))` an element of the tuple.
  let node: Node | undefined = sent;
  if (sent.type === 'tuple' || sent.type === 'list') {
    const items = sent.namedChildren.filter((c) => c.type !== 'comment');
    if (items.some((c) => c.type === 'list_splat')) return undefined;
    node = items[index];
  }
  if (!node || node.type === 'keyword_argument') return undefined;
  // A bound task (`bind=True`) receives the task itself first.
  const bound = task.decorators.some((d) => /\bbind\s*=\s*True\b/.test(d.text)) ? 1 : 0;
  const param = task.params[index + bound];
  const body = task.node.childForFieldName('body');
  if (!param || !body || /^\*/.test(param)) return undefined;
  let uses = 0;
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.text === param) {
      const p = n.parent;
      if (p?.type === 'attribute' && n.field === 'attribute') continue;
      const call = p?.type === 'argument_list' && p.namedChildren.length === 1 ? p.parent : undefined;
      const iterated =
        (call?.type === 'call' && iteratingCalls.has(call.childForFieldName('function')?.text ?? '')) ||
        ((p?.type === 'for_statement' || p?.type === 'for_in_clause') && n.field === 'right') ||
        (p?.type === 'comparison_operator' && p.namedChildren[1]?.id === n.id && /\bin\b/.test(p.text.slice(p.namedChildren[0].endIndex - p.startIndex, n.startIndex - p.startIndex)));
      if (!iterated) return undefined;
      uses++;
      continue;
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  if (uses === 0) return undefined;
  return {
    title: `Send \`list(${node.text})\`: \`${task.name}\` only iterates \`${param}\`, and JSON has arrays, not sets`,
    id: 'send-set-as-list',
    preferred: false,
    edits: [{ file: model.file, range: rangeOf(node), newText: `list(${node.text})` }],
  };
}

interface JsonProblem {
  segments: string[];
  what: string;
  typeName: string;
}

/** The first part kombu's JSON encoder refuses; unknown values are never a problem. */
function jsonProblem(v: Value, segments: string[], ev: Evaluator, depth: number): JsonProblem | undefined {
  if (depth > 6) return undefined;
  switch (v.kind) {
    case 'data': {
      const t = v.site?.node.type;
      if (t === 'set_comprehension') return { segments, what: 'a set', typeName: 'set' };
      if (t === 'string' && /^[bB]/.test(v.site!.node.text)) return { segments, what: 'bytes', typeName: 'bytes' };
      return undefined;
    }
    case 'container': {
      // A set display or a set comprehension (now a container of its elements).
      if (v.site.node.type === 'set' || v.site.node.type === 'set_comprehension') return { segments, what: 'a set', typeName: 'set' };
      for (const item of v.items) {
        const last = segments[segments.length - 1];
        const p = jsonProblem(item.value, [...segments.slice(0, -1), `${last}${item.label}`], ev, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    case 'instance': {
      // A subclass of a builtin (dict, list, str, int...) or of anything outside the workspace may
      // encode fine (or have a custom encoder): only plain workspace classes are certain to fail.
      for (const c of classChain(v.cls, ev))
        for (const b of c.bases) {
          const bv = ev.eval(b, c.outer, 1);
          if (bv.kind === 'class') continue;
          if (bv.kind === 'ref' && bv.qname === 'builtins.object') continue;
          return undefined;
        }
      return { segments, what: `an instance of \`${v.cls.name}\``, typeName: v.cls.name };
    }
    default:
      return undefined;
  }
}

function finding(model: ModuleModel, site: CallSite, node: Node, name: string, p: JsonProblem): Finding {
  const [head, ...rest] = p.segments;
  const subject = rest.length ? `\`${head}\` holds \`${rest.join(' → ')}\`, ${p.what}` : `\`${head}\` is ${p.what}`;
  return {
    file: model.file,
    range: rangeOf(node),
    rule: pyCeleryJson.meta.id,
    severity: pyCeleryJson.meta.defaultSeverity,
    message: `${subject}, encoded as JSON when \`${name}\` sends the task: ${pyCeleryJson.because} (kombu.exceptions.EncodeError: Object of type ${p.typeName} is not JSON serializable); ${pyCeleryJson.advice}`,
    path: `${p.segments.join(' → ')}: ${p.typeName}`,
    related: [],
    fixes: [],
  };
}

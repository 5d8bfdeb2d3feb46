/**
 * @module spec
 * The run spec: everything a compression run needs, as one JSON or YAML document validated
 * by one zod schema. Every field has a default, so `{}` is a complete spec (the embedded
 * model, its corpus, the defaults below); a bad spec is reported with every problem at once,
 * each with its path in the document.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { oneLine, UserError } from '@carve/errors';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A plugin chosen by name, with its options (validated later by the plugin's own schema). */
const pluginRef = (name: string) =>
  z
    .object({ name: z.string().min(1).default(name), options: z.record(z.string(), z.unknown()).default({}) })
    .strict()
    .default({ name, options: {} });

const files = z.array(z.string().min(1)).nonempty();

export const runSpecSchema = z
  .object({
    /** A label for the run, shown in the catalog. */
    name: z.string().optional(),
    /** Seed of every random choice: data split, sampler, adapters, dropout, search. */
    seed: z.number().int().min(0).default(0),
    /**
     * Where the numerical work runs: ONNX Runtime's CUDA execution provider, its CPU one, or
     * CUDA when this machine's onnxruntime-node can use a GPU and the CPU otherwise.
     */
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    model: z
      .object({
        /** A Hugging Face folder or a llama2.c .bin. @default the embedded model, models/carve-sotu-1m */
        checkpoint: z.string().min(1).optional(),
        /** @default the checkpoint folder's tokenizer.json */
        tokenizer: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    data: z
      .object({
        /** Text for importance scoring. @default the training text */
        calibration: files.optional(),
        /** Training text. @default the embedded model's corpus */
        train: files.optional(),
        /** Held-out text for the search and the evaluation. @default documents held out of the training text */
        validation: files.optional(),
        format: z.enum(['text', 'jsonl', 'alpaca']).optional(),
        /** Cut text files into documents at this string. */
        separator: z.string().min(1).optional(),
        validationFraction: z.number().min(0).max(0.9).default(0.05),
      })
      .strict()
      .default({ validationFraction: 0.05 }),
    /** Plugin packages to load. */
    plugins: z.array(z.string().min(1)).default([]),
    space: pluginRef('joint'),
    importance: z
      .object({
        enabled: z.boolean().default(true),
        samples: z.number().int().positive().default(200),
        seqLen: z.number().int().positive().optional(),
        statistic: z.enum(['mean-abs', 'l2', 'variance']).default('mean-abs'),
        layerScoring: z.enum(['block', 'drop']).default('block'),
      })
      .strict()
      .default({ enabled: true, samples: 200, statistic: 'mean-abs', layerScoring: 'block' }),
    sampler: pluginRef('calibrated'),
    training: z
      .object({
        strategy: pluginRef('sandwich-kd'),
        steps: z.number().int().positive().default(200),
        batchSize: z.number().int().positive().default(8),
        seqLen: z.number().int().positive().optional(),
        // 3e-3, not 1e-3: the paper experiment's lr arm, three seeds on stories260K and on the embedded model (docs/results.md).
        lr: z.number().positive().default(3e-3),
        lora: z
          .object({
            rank: z.number().int().positive().default(8),
            alpha: z.number().positive().default(16),
            dropout: z.number().min(0).lt(1).default(0),
            targets: z.array(z.enum(['q', 'k', 'v', 'o', 'mlp', 'head'])).nonempty().optional(),
          })
          .strict()
          .default({ rank: 8, alpha: 16, dropout: 0 }),
        /** Train every weight instead of LoRA adapters. */
        full: z.boolean().default(false),
        threads: z.number().int().positive().default(1),
        /** Peak resident memory of the train stage, MB: micro-batches chosen to fit, and a cap (see carve train --memory-budget-mb in docs/cli.md). @default none */
        memoryBudgetMb: z.number().int().positive().optional(),
      })
      .strict()
      .default({ strategy: { name: 'sandwich-kd', options: {} }, steps: 200, batchSize: 8, lr: 3e-3, lora: { rank: 8, alpha: 16, dropout: 0 }, full: false, threads: 1 }),
    search: z
      .object({
        strategy: pluginRef('nsga2'),
        objectives: z
          .array(z.object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }).strict())
          .nonempty()
          .default([
            { name: 'val-loss', options: {} },
            { name: 'latency', options: {} },
          ]),
        constraints: z
          .array(
            z
              .object({ objective: z.string().min(1), max: z.number().optional(), min: z.number().optional() })
              .strict()
              .refine((c) => c.max !== undefined || c.min !== undefined, { message: 'give max, min or both' }),
          )
          .default([]),
        budget: z.number().int().positive().default(40),
        /** The hypervolume's reference point, one value per objective. @default fixed after the anchors */
        reference: z.array(z.number()).nonempty().optional(),
      })
      .strict()
      .superRefine((search, ctx) => {
        const names = search.objectives.map((o) => o.name);
        search.constraints.forEach((c, i) => {
          if (!names.includes(c.objective)) ctx.addIssue({ code: 'custom', path: ['constraints', i, 'objective'], message: `'${c.objective}' is not an objective of the search (${names.join(', ')})` });
        });
        names.forEach((name, i) => {
          if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['objectives', i, 'name'], message: `'${name}' is given twice` });
        });
        if (search.reference && search.reference.length !== names.length) {
          ctx.addIssue({ code: 'custom', path: ['reference'], message: `${search.reference.length} values for ${names.length} objectives (${names.join(', ')})` });
        }
      })
      .default({ strategy: { name: 'nsga2', options: {} }, objectives: [{ name: 'val-loss', options: {} }, { name: 'latency', options: {} }], constraints: [], budget: 40 }),
    /** How exported models are measured (and the default options of the latency objectives). */
    latency: z
      .object({
        batch: z.number().int().positive().default(1),
        seqLen: z.number().int().positive().optional(),
        threads: z.number().int().positive().default(1),
        warmup: z.number().int().min(0).default(3),
        repeats: z.number().int().positive().default(20),
      })
      .strict()
      .default({ batch: 1, threads: 1, warmup: 3, repeats: 20 }),
    /** Downstream tasks measured on every exported model and on the full model (see docs/evaluation.md). */
    evaluation: z
      .object({
        /** Task plugins with their options. @default text-cloze and text-ending, built from the held-out text */
        tasks: z
          .array(z.object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }).strict())
          .default([
            { name: 'text-cloze', options: {} },
            { name: 'text-ending', options: {} },
          ]),
        /** A folder of task data, `<dataDir>/<dataset>/<split>.jsonl`, for the tasks whose options name none. */
        dataDir: z.string().min(1).optional(),
        /** Documents per task: the first `limit` of its evaluation split. */
        limit: z.number().int().positive().default(200),
        /** Few-shot examples. @default each task's own default */
        shots: z.number().int().min(0).optional(),
        /** Start contexts with BOS. @default when the tokenizer has one */
        bos: z.boolean().optional(),
      })
      .strict()
      .superRefine((evaluation, ctx) => {
        const names = evaluation.tasks.map((t) => t.name);
        names.forEach((name, i) => {
          if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'name'], message: `'${name}' is given twice` });
        });
      })
      .default({ tasks: [{ name: 'text-cloze', options: {} }, { name: 'text-ending', options: {} }], limit: 200 }),
    /**
     * Baselines to compare the front with (see docs/results.md): each pruning method (a plugin of
     * kind 'baseline') prunes the original model to the size of every exported model and is
     * fine-tuned with LoRA on the training text; all are measured as the exported models are.
     */
    baselines: z
      .object({
        methods: z
          .array(
            z
              .object({
                name: z.string().min(1),
                options: z.record(z.string(), z.unknown()).default({}),
                /** LoRA fine-tuning after pruning; false measures the pruned model as it is. */
                fineTune: z.boolean().default(true),
                /** Reported as. @default the name, with "+ft" when fine-tuned */
                label: z.string().min(1).optional(),
              })
              .strict(),
          )
          .default([]),
        /**
         * The paper's baseline: each exported shape cut from the sorted model without the
         * super-network's adapters and fine-tuned alone, for its share of the training steps.
         */
        subNetworks: z.boolean().default(false),
        fineTune: z
          .object({
            /** @default training.steps */
            steps: z.number().int().positive().optional(),
            /** @default training.lr */
            lr: z.number().positive().optional(),
          })
          .strict()
          .default({}),
        /** Calibration sequences for the methods that need activation statistics. @default importance.samples */
        samples: z.number().int().positive().optional(),
      })
      .strict()
      .superRefine((b, ctx) => {
        const labels = b.methods.map((m) => m.label ?? `${m.name}${m.fineTune ? '+ft' : ''}`);
        labels.forEach((label, i) => {
          if (labels.indexOf(label) !== i) ctx.addIssue({ code: 'custom', path: ['methods', i], message: `'${label}' is given twice; give one a label` });
        });
      })
      .default({ methods: [], subNetworks: false, fineTune: {} }),
    export: z
      .object({
        /** At most this many members of the front, spread along it. */
        max: z.number().int().positive().default(5),
        /**
         * What each exported model folder holds besides config.json and the tokenizer: 'hf'
         * model.safetensors (Python transformers, carve; the evaluate stage reads it, so it is
         * required), 'onnx' onnx/model.onnx (transformers.js), 'gguf' model-<type>.gguf (llama.cpp).
         */
        formats: z
          .array(z.enum(['hf', 'onnx', 'gguf']))
          .min(1)
          .default(['hf', 'onnx'])
          .refine((f) => f.includes('hf'), { message: "must include 'hf': the evaluate stage and `carve export` read model.safetensors" })
          .refine((f) => new Set(f).size === f.length, { message: 'lists a format twice' }),
        /** Element type of the GGUF weights (norms stay f32). */
        ggufType: z.enum(['f16', 'f32']).default('f16'),
        /** The boolean of earlier versions, refused with what replaced it. */
        onnx: z.never({ message: "replaced by export.formats: ['hf', 'onnx'] writes ONNX, ['hf'] does not" }).optional(),
      })
      .strict()
      .default({ max: 5, formats: ['hf', 'onnx'], ggufType: 'f16' }),
    output: z
      .object({
        catalog: z.enum(['local', 's3']).default('local'),
        /** The local catalog's folder (runs go under runs/<id>/), and the work folder of an S3 run. */
        root: z.string().min(1).default('carve-runs'),
        bucket: z.string().min(1).optional(),
        prefix: z.string().optional(),
        endpoint: z.string().url().optional(),
        region: z.string().optional(),
      })
      .strict()
      .default({ catalog: 'local', root: 'carve-runs' }),
  })
  .strict();

/** A run spec with every default filled in. */
export type RunSpec = z.output<typeof runSpecSchema>;

/** A spec that failed validation: `issues` lists each problem as `path: message`. */
export class SpecError extends UserError {
  constructor(where: string, issues: readonly string[]) {
    super(`${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}: ${issues.join('; ')}`, 'invalid_spec', issues);
  }
}

/**
 * How deep a spec may nest. Plugin options are free-form, so the schema alone lets a document
 * nest without end, and the code that hashes, copies and writes a spec (canonicalJson,
 * structuredClone, JSON.stringify) recurses once per level: 100,000 levels overflow the stack.
 */
export const MAX_SPEC_DEPTH = 100;

/**
 * The path of a value nested deeper than `max` levels, or undefined; iterative, so any document
 * is safe. The catalog checks the spec a manifest records with it too.
 */
export function nestedTooDeep(document: unknown, max = MAX_SPEC_DEPTH): PropertyKey[] | undefined {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: document, path: [] }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.path.length >= max) return item.path;
    for (const [key, value] of Object.entries(item.value)) stack.push({ value, path: [...item.path, key] });
  }
  return undefined;
}

/** Checks a parsed document and fills in the defaults; every problem is named by its path. */
export function parseRunSpec(document: unknown, where = 'run spec'): RunSpec {
  const deep = nestedTooDeep(document);
  if (deep) throw new SpecError(where, [oneLine(`${deep.slice(0, 4).join('.')}…: nested deeper than ${MAX_SPEC_DEPTH} levels`)]);
  const result = runSpecSchema.safeParse(document ?? {});
  if (result.success) return result.data;
  throw new SpecError(
    where,
    // The path and the message quote the document's keys, which may hold line breaks.
    result.error.issues.map((issue) => oneLine(`${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)),
  );
}

/** How a spec document is written: YAML or JSON (`auto`: by the file name, JSON unless it ends in .yaml/.yml). */
export type SpecFormat = 'json' | 'yaml';

/** The format of a spec at `path`: YAML for .yaml/.yml, JSON otherwise. */
export const specFormatOf = (path: string): SpecFormat => (/\.ya?ml$/i.test(path) ? 'yaml' : 'json');

/** Parses and checks a spec document's text; `where` names it in every problem. */
export function parseRunSpecText(text: string, where: string, format: SpecFormat = specFormatOf(where)): RunSpec {
  let document: unknown;
  try {
    document = format === 'yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new SpecError(where, [`not valid ${format === 'yaml' ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`]);
  }
  return parseRunSpec(document, where);
}

/** Reads a spec file: YAML for .yaml/.yml, JSON otherwise. */
export function loadRunSpec(path: string): RunSpec {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError(path, [`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  return parseRunSpecText(text, path);
}

/** JSON with object keys sorted at every level, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    ) ?? 'undefined'
  );
}

/**
 * The SHA-256 (hex) of a spec's content, defaults filled in: two documents that mean the same
 * run (JSON or YAML, keys in any order, defaults spelled out or left out) hash equally.
 */
export function specHash(spec: RunSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

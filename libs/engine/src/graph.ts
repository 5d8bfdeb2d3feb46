/**
 * @module graph
 * The graph IR: values with an element type and a (possibly symbolic) shape, nodes that
 * apply an operator, initializers, inputs and outputs. Every node is shape-checked as it
 * is added, so a mistake is reported at the line that made it, naming the node.
 */
import { Dim, formatShape, normalizeDim, Shape } from './dims';
import { DType } from './dtype';
import { GraphBuildError } from './errors';
import { AttrValue, Attrs, OpDef, ValueInfo } from './op-def';
import { getOpDef } from './ops';
import { Tensor } from './tensor';

/** A tensor flowing through a graph: a graph input, an initializer, or a node output. */
export class Value implements ValueInfo {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    /** The node that computes it; undefined for inputs and initializers. */
    readonly producer?: Node,
    readonly known?: readonly Dim[],
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `'${this.name}' (${this.dtype} ${formatShape(this.shape)})`;
  }
}

export interface Node {
  readonly name: string;
  readonly op: string;
  /** null marks an omitted optional input. */
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
  /** Autodiff treats the node's outputs as constants (the distillation teacher's logits). */
  readonly stopGradient: boolean;
}

/**
 * A stretch of nodes whose gradient is given as a whole (see `customGradient` in the
 * builder): autodiff calls `gradient` instead of differentiating the nodes one by one.
 */
export interface GradientRegion {
  readonly name: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  /** Indices in `graph.nodes` of the region's first and last node. */
  readonly first: number;
  readonly last: number;
  /** Gradients of the inputs from those of the outputs (undefined: does not reach the loss). */
  readonly gradient: (dOutputs: readonly (Value | undefined)[]) => readonly Value[];
}

export interface OpOptions {
  /** Number of outputs to create (for ops with optional or variadic outputs). */
  outputs?: number;
  /** Stop gradients from flowing through this node. */
  stopGradient?: boolean;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly initializers = new Map<Value, Tensor>();
  outputs: Value[] = [];
  /** Which graph input and axis carries each symbolic dimension, so shapes can be built at run time. */
  readonly symbolSources = new Map<string, { input: Value; axis: number }>();
  private readonly names = new Set<string>();
  private readonly scalarCache = new Map<string, Value>();
  private readonly scopes: string[] = [];
  private counter = 0;
  /** Per-graph cache used by builders for values derived once (e.g. Shape of an input). */
  readonly memo = new Map<string, Value>();
  /** Stretches of nodes with a gradient of their own, in build order. */
  readonly regions: GradientRegion[] = [];

  constructor(readonly name = 'graph') {}

  /** Declares a graph input. String dimensions are symbolic (e.g. 'B', 'T'). */
  input(name: string, dtype: DType, shape: Shape): Value {
    const dims = shape.map(normalizeDim);
    const value = new Value(this, this.claim(name), dtype, dims);
    dims.forEach((d, axis) => {
      if (typeof d === 'string' && !d.includes('*') && !this.symbolSources.has(d)) this.symbolSources.set(d, { input: value, axis });
    });
    this.inputs.push(value);
    return value;
  }

  /** Adds a named constant tensor (an ONNX initializer). */
  initializer(name: string, tensor: Tensor): Value {
    const value = new Value(this, this.claim(name), tensor.dtype, tensor.shape, undefined, knownOf(tensor));
    this.initializers.set(value, tensor);
    return value;
  }

  /** A constant tensor with a generated name; scalars are shared per (dtype, value). */
  constant(tensor: Tensor): Value {
    if (tensor.shape.length === 0) {
      const key = `${tensor.dtype}:${String(tensor.data[0])}`;
      const cached = this.scalarCache.get(key);
      if (cached) return cached;
      const value = this.initializer(this.fresh('const'), tensor);
      this.scalarCache.set(key, value);
      return value;
    }
    return this.initializer(this.fresh('const'), tensor);
  }

  /**
   * Marks values as graph outputs, in order. Given a record, each output is named by its
   * key (through an Identity node), so results can be read back as `out.loss`.
   */
  output(...values: (Value | Readonly<Record<string, Value>>)[]): Value[] {
    const added: Value[] = [];
    for (const item of values) {
      if (item instanceof Value) {
        this.assertOwn(item, 'output');
        added.push(item);
        continue;
      }
      for (const [name, v] of Object.entries(item)) {
        this.assertOwn(v, `output '${name}'`);
        const outputs: Value[] = [];
        const node: Node = { name: this.fresh('Output'), op: 'Identity', inputs: [v], outputs, attrs: {}, stopGradient: false };
        outputs.push(new Value(this, this.claim(name), v.dtype, v.shape, node, v.known));
        this.nodes.push(node);
        const out = outputs[0];
        added.push(out);
      }
    }
    this.outputs.push(...added);
    return added;
  }

  /** Runs `fn` with node names prefixed by `scope/` (nested scopes join with '/'). */
  withScope<T>(scope: string, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** The constant behind a value, if it is an initializer. */
  constantValue(value: Value): Tensor | undefined {
    return this.initializers.get(value);
  }

  /**
   * Adds a node applying ONNX operator `type`. Checks the operator exists, the inputs'
   * count, graph and types, the attributes, and infers the outputs' shapes; any failure
   * throws a GraphBuildError naming the node.
   */
  op(type: string, inputs: readonly (Value | null)[], attrs: Attrs = {}, options: OpOptions = {}): Value[] {
    const nodeName = this.fresh(type);
    const fail = (message: string): never => {
      const shapes = inputs.map((v) => (v ? `${v.dtype} ${formatShape(v.shape)}` : 'none')).join(', ');
      throw new GraphBuildError(`node '${nodeName}' (${type}): ${message}; inputs: ${shapes || 'none'}`, nodeName, type);
    };
    const def = getOpDef(type);
    if (!def) return fail(`unknown operator '${type}'`);
    checkArity(def, inputs, fail);
    inputs.forEach((v) => v && this.assertOwn(v, `input of node '${nodeName}'`));
    checkAttributes(def, attrs, fail);
    const outputCount = options.outputs ?? def.outputs.filter((o) => !o.endsWith('?')).length;
    let infos: ValueInfo[];
    try {
      infos = def.infer(inputs, attrs, outputCount);
    } catch (e) {
      return fail((e as Error).message);
    }
    const outputs = infos.map(
      (info, i) =>
        new Value(this, this.claim(`${nodeName}:${i}`), info.dtype, info.shape.map(normalizeDim), undefined, info.known),
    );
    const node: Node = { name: nodeName, op: type, inputs: [...inputs], outputs, attrs, stopGradient: options.stopGradient ?? false };
    // Values are immutable to users; the producer link is set once, here.
    outputs.forEach((v) => ((v as { producer?: Node }).producer = node));
    this.nodes.push(node);
    return outputs;
  }

  private fresh(base: string): string {
    const prefix = this.scopes.length ? `${this.scopes.join('/')}/` : '';
    return `${prefix}${base}_${this.counter++}`;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new GraphBuildError(`graph '${this.name}': the name '${name}' is already used`);
    this.names.add(name);
    return name;
  }

  private assertOwn(value: Value, role: string): void {
    if (value.graph !== this) {
      throw new GraphBuildError(`value ${value} used as ${role} belongs to graph '${value.graph.name}', not '${this.name}'`);
    }
  }
}

function knownOf(tensor: Tensor): readonly Dim[] | undefined {
  if ((tensor.dtype === 'int64' || tensor.dtype === 'int32') && tensor.shape.length <= 1 && tensor.size <= 16) {
    return tensor.toNumbers();
  }
  return undefined;
}

function checkArity(def: OpDef, inputs: readonly (Value | null)[], fail: (m: string) => never): void {
  const variadic = def.inputs.length === 1 && def.inputs[0].endsWith('...');
  if (variadic) {
    if (inputs.length === 0 || inputs.some((v) => v === null)) fail('needs at least one input and no omitted ones');
    return;
  }
  const required = def.inputs.filter((n) => !n.endsWith('?')).length;
  if (inputs.length < required || inputs.length > def.inputs.length) {
    fail(`takes ${required === def.inputs.length ? required : `${required} to ${def.inputs.length}`} inputs (${def.inputs.join(', ')}), got ${inputs.length}`);
  }
  inputs.forEach((v, i) => {
    if (v === null && !def.inputs[i].endsWith('?')) fail(`input '${def.inputs[i]}' is required`);
  });
}

function checkAttributes(def: OpDef, attrs: Attrs, fail: (m: string) => never): void {
  const declared = def.attributes ?? {};
  for (const [key, value] of Object.entries(attrs)) {
    const type = declared[key];
    if (!type) fail(`unknown attribute '${key}' (known: ${Object.keys(declared).join(', ') || 'none'})`);
    if (!attrMatches(type, value)) fail(`attribute '${key}' must be ${type}, got ${JSON.stringify(value)}`);
  }
}

function attrMatches(type: string, value: AttrValue): boolean {
  switch (type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'ints':
      return Array.isArray(value) && value.every((v) => Number.isInteger(v));
    case 'floats':
      return Array.isArray(value) && value.every((v) => typeof v === 'number');
    case 'tensor':
      return value instanceof Tensor;
  }
  return false;
}

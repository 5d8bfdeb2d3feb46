/**
 * @module types
 * The search-space contract: the dimensions of one model's sub-networks, how to draw,
 * check, encode and vary points of it. Optimizers and samplers see only this interface.
 */
import { Rng, UserError } from '@carve/engine';
import { ModelConfig, SubNetwork } from '@carve/model';

/** The dimensions every space has, in this order (which is also the encoding's order). */
export const DIMENSION_NAMES = ['embedDim', 'heads', 'headSize', 'mlpHidden', 'depth'] as const;
export type DimensionName = (typeof DIMENSION_NAMES)[number];

/** One value list per dimension, as a run spec gives it to `explicitSpace`. */
export type SpaceValues = Record<DimensionName, readonly number[]>;

export interface Dimension {
  readonly name: DimensionName;
  /** The allowed values, ascending. Index i encodes as i / (values.length − 1). */
  readonly values: readonly number[];
  /** 'global': one value for the whole sub-network; 'layer': one value per kept layer. */
  readonly scope: 'global' | 'layer';
}

/**
 * Rules a point must also satisfy to be exported in some format. 'hf': a Hugging Face
 * config has one num_attention_heads and one intermediate_size, and derives head_dim as
 * hidden_size / num_attention_heads, so the embedding width must be divisible by the heads
 * and every layer must have the same heads and MLP width.
 */
export type ExportRule = 'hf';
export const EXPORT_RULES: readonly ExportRule[] = ['hf'];

/** Options every space takes. */
export interface SpaceOptions {
  /**
   * Layers from the most to the least important (from importance sorting); depth d keeps
   * the first d of them, in model order. Must be a permutation of the layers.
   * @default 0, 1, …, nLayer − 1
   */
  readonly layerOrder?: readonly number[];
  /**
   * Keep only points that export under this rule: `issues` reports violations and no
   * operation produces them.
   * @default none
   */
  readonly exportRule?: ExportRule;
}

/** Options of the joint and layer-wise spaces: any value list may replace its default. */
export interface DefaultSpaceOptions extends SpaceOptions, Partial<SpaceValues> {
  /**
   * The shallowest depth of the default depth list; give this or `depth`, not both.
   * @default 1
   */
  readonly minDepth?: number;
}

/** Options of an explicit space. */
export interface ExplicitSpaceOptions extends SpaceOptions {
  /**
   * Choose heads and MLP width per layer rather than once for the whole network.
   * @default false
   */
  readonly layerwise?: boolean;
}

/**
 * The sub-networks of one model that a search may visit. Every method that returns a
 * SubNetwork returns a member (`issues(s)` is empty); every method that takes one throws a
 * SearchSpaceError when it is not a member.
 *
 * The numeric encoding (for optimizers that work on vectors) has one entry per global
 * dimension and nLayer entries (one per model layer, in model order) per layer dimension,
 * in the order of `dimensions`. Each entry is the value's index normalized to [0, 1]
 * (0 when a dimension has a single value). Entries of layers the depth drops encode as 1
 * and are ignored by `decode`.
 */
export interface SearchSpace {
  /** 'joint', 'layerwise' or 'explicit'; every error the space raises names it and the model. */
  readonly name: string;
  readonly config: ModelConfig;
  /** Layers from the most to the least important; depth d keeps the first d, in model order. */
  readonly layerOrder: readonly number[];
  readonly exportRule: ExportRule | undefined;
  /** In DIMENSION_NAMES order. Under an export rule heads and MLP width are global. */
  readonly dimensions: readonly Dimension[];
  /** Number of distinct members (points that differ as sub-networks). */
  size(): bigint;
  /** The member with the fewest parameters. */
  smallest(): SubNetwork;
  /** The member with the most parameters. */
  largest(): SubNetwork;
  /**
   * A member drawn uniformly over each dimension's values (per-layer values independently
   * per layer); under an export rule, uniformly over the (embedDim, heads) pairs it admits.
   * Uniform over dimensions, not over points: each depth is equally likely.
   */
  sample(rng: Rng): SubNetwork;
  /** Every reason `choice` is not a member, each starting with the field it concerns. */
  issues(choice: SubNetwork): string[];
  /** The member as a vector in [0, 1] (see the interface's description of the layout). */
  encode(choice: SubNetwork): number[];
  /**
   * The member nearest to any finite vector: entries are clamped to [0, 1] and rounded to
   * the nearest value; under an export rule a forbidden (embedDim, heads) pair moves to the
   * nearest allowed one. decode(encode(s)) is s, and encode(decode(v)) decodes to the same.
   */
  decode(vector: readonly number[]): SubNetwork;
  /** The members one step away (the next value up or down) in one dimension or one layer's. */
  neighbours(choice: SubNetwork): SubNetwork[];
  /** Each entry of the encoding moves to another value with probability `rate` ∈ [0, 1]. */
  mutate(choice: SubNetwork, rng: Rng, rate: number): SubNetwork;
  /** Uniform crossover: each entry of the encoding comes from `a` or `b` with even odds. */
  crossover(a: SubNetwork, b: SubNetwork, rng: Rng): SubNetwork;
}

/**
 * A search space that cannot be built, a point that is not a member, or a vector that
 * cannot be decoded. Codes: 'invalid_search_space', 'not_in_space', 'invalid_vector',
 * 'invalid_rate'.
 */
export class SearchSpaceError extends UserError {
  override readonly name = 'SearchSpaceError';
}

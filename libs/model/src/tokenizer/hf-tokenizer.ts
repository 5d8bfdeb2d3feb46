/**
 * @module hf-tokenizer
 * A Hugging Face `tokenizer.json` (with its optional `tokenizer_config.json`), run by the
 * pure-JavaScript `@huggingface/tokenizers`, behind the project's {@link Tokenizer} contract.
 */
import { Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import type { EncodeOptions, Tokenizer } from './tokenizer';
import { TokenizerError } from './tokenizer-error';

type Json = Record<string, unknown>;

/** A Hugging Face tokenizer; build it from parsed JSON or with `loadTokenizer`. */
export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** Whether `encode` adds BOS and EOS when the call does not say. */
  readonly addBos: boolean;
  readonly addEos: boolean;
  /** Where the tokenizer came from (its path), for error messages. */
  readonly source: string;
  /** The parsed tokenizer.json, for writers of other formats (GGUF's tokenizer metadata). */
  readonly json: Readonly<Json>;
  private readonly lib: HfLibTokenizer;
  private readonly cleanUpSpaces: boolean;

  /**
   * `tokenizerJson` is the parsed `tokenizer.json`, `config` the parsed `tokenizer_config.json`
   * if there is one; `source` names them in errors. BOS and EOS come from the config's
   * `bos_token`/`eos_token` and `add_bos_token`/`add_eos_token`, else from the special tokens
   * the post-processor's template puts around a single text.
   */
  constructor(tokenizerJson: unknown, config: unknown = {}, source = 'tokenizer.json') {
    this.source = source;
    if (!isRecord(tokenizerJson) || !isRecord(tokenizerJson.model)) {
      const found = isRecord(tokenizerJson) ? `keys ${Object.keys(tokenizerJson).slice(0, 8).join(', ') || 'none'}` : 'no object';
      throw new TokenizerError('bad-format', source, `not a Hugging Face tokenizer.json: no "model" object (found ${found})`);
    }
    if (!isRecord(config)) throw new TokenizerError('bad-format', source, 'tokenizer_config.json is not an object');
    this.json = tokenizerJson;
    // Files written by older versions leave out the parts they do not use; the library wants them present.
    const full = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...tokenizerJson };
    // Python's transformers cleans up spaces on decode unless told not to; the Rust library that
    // reads tokenizer.json never does, and without a config neither do we, so decoding is lossless.
    this.cleanUpSpaces = config.clean_up_tokenization_spaces === true;
    try {
      this.lib = new HfLibTokenizer(full, { ...config, clean_up_tokenization_spaces: this.cleanUpSpaces });
    } catch (e) {
      throw new TokenizerError('unsupported', source, `@huggingface/tokenizers cannot load it: ${(e as Error).message}`);
    }

    let maxId = -1;
    for (const id of this.lib.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;

    const template = templateTokens(full.post_processor);
    const bosToken = tokenContent(config.bos_token) ?? template.first;
    const eosToken = tokenContent(config.eos_token) ?? template.last;
    this.bosId = bosToken === undefined ? undefined : this.lib.token_to_id(bosToken);
    this.eosId = eosToken === undefined ? undefined : this.lib.token_to_id(eosToken);
    this.addBos = asBoolean(config.add_bos_token) ?? (template.first !== undefined && template.first === bosToken);
    this.addEos = asBoolean(config.add_eos_token) ?? (template.last !== undefined && template.last === eosToken);
  }

  /** See {@link Tokenizer.encode}; BOS and EOS default to {@link addBos} and {@link addEos}. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.lib.encode(text, { add_special_tokens: false }).ids;
    if (options.bos ?? this.addBos) ids.unshift(this.required(this.bosId, 'BOS'));
    if (options.eos ?? this.addEos) ids.push(this.required(this.eosId, 'EOS'));
    return ids;
  }

  /**
   * See {@link Tokenizer.decode}. Special tokens give no text; the decoder in the file decides
   * the rest (Llama's drops the first leading space of the whole text, not one after each BOS).
   */
  decode(ids: readonly number[]): string {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError('bad-input', this.source, `token id ${id} is out of range 0..${this.vocabSize - 1}`);
      }
    }
    if (ids.length === 0) return '';
    return this.lib.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: this.cleanUpSpaces });
  }

  private required(id: number | undefined, what: string): number {
    if (id === undefined) {
      throw new TokenizerError('bad-input', this.source, `${what} requested, but the tokenizer defines no ${what} token`);
    }
    return id;
  }
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** A special token in a config: a string, or an AddedToken object with `content`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isRecord(value) && typeof value.content === 'string' ? value.content : undefined;
}

/** The special tokens a TemplateProcessing (alone or in a Sequence) puts before and after a text. */
function templateTokens(processor: unknown): { first?: string; last?: string } {
  if (!isRecord(processor)) return {};
  if (processor.type === 'Sequence' && Array.isArray(processor.processors)) {
    return processor.processors.map(templateTokens).find((t) => t.first !== undefined || t.last !== undefined) ?? {};
  }
  if (processor.type !== 'TemplateProcessing' || !Array.isArray(processor.single)) return {};
  const special = (item: unknown): string | undefined =>
    isRecord(item) && isRecord(item.SpecialToken) && typeof item.SpecialToken.id === 'string' ? item.SpecialToken.id : undefined;
  const items: unknown[] = processor.single;
  return { first: special(items[0]), last: items.length > 1 ? special(items[items.length - 1]) : undefined };
}

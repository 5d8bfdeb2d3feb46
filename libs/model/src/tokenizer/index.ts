/**
 * @module tokenizer
 * Tokenizers: llama2.c's `tokenizer.bin` and Hugging Face's `tokenizer.json` behind one
 * small contract, the conversion from the first to the second, and streaming decode.
 */
export type { EncodeOptions, Tokenizer } from './tokenizer';
export { TokenizerError } from './tokenizer-error';
export type { TokenizerErrorCode } from './tokenizer-error';
export { Llama2cTokenizer } from './llama2c-tokenizer';
export type { Llama2cVocab } from './llama2c-tokenizer';
export { HfTokenizer } from './hf-tokenizer';
export { toHfTokenizerConfig, toHfTokenizerJson } from './to-hf';
export type { HfTokenizerJson } from './to-hf';
export { loadTokenizer } from './load-tokenizer';
export type { LoadTokenizerOptions } from './load-tokenizer';
export { DecodeStream } from './decode-stream';

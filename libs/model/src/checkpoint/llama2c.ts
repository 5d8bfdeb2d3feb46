/**
 * @module checkpoint/llama2c
 * Karpathy's llama2.c legacy checkpoint (`run.c` format): a header of seven int32 sizes,
 * then float32 tensors in a fixed order. A negative vocabulary size marks an untied
 * output head stored at the end. RoPE pairs are interleaved ((2i, 2i+1)).
 */
import * as fs from 'node:fs';
import { resolveConfig } from '../config';
import { Checkpoint, CheckpointError, transpose2d } from './checkpoint';

const HEADER_BYTES = 7 * 4;

/** Reads a llama2.c checkpoint; the config is named after the file. */
export function loadLlama2c(path: string): Checkpoint {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read the checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'not_found', path);
  }
  if (bytes.length < HEADER_BYTES) throw new CheckpointError(`${path}: truncated: ${bytes.length} bytes is shorter than the 28-byte llama2.c header`, 'truncated', path);
  const header = Array.from({ length: 7 }, (_, i) => bytes.readInt32LE(4 * i));
  const [dim, hidden, layers, heads, kvHeads, vocabSigned, seqLen] = header;
  const vocab = Math.abs(vocabSigned);
  const plausible = [dim, hidden, layers, heads, kvHeads, vocab, seqLen].every((v) => v > 0 && v < 1 << 20) && dim % heads === 0 && heads % kvHeads === 0;
  if (!plausible) throw new CheckpointError(`${path}: not a llama2.c checkpoint (header ${header.join(', ')})`, 'bad_format', path);
  const hs = dim / heads;
  const kvDim = kvHeads * hs;
  const tied = vocabSigned > 0;
  const sizes: [string, number][] = [
    ['tok', vocab * dim],
    ['rms_att', layers * dim],
    ['wq', layers * dim * dim],
    ['wk', layers * kvDim * dim],
    ['wv', layers * kvDim * dim],
    ['wo', layers * dim * dim],
    ['rms_ffn', layers * dim],
    ['w1', layers * hidden * dim],
    ['w2', layers * dim * hidden],
    ['w3', layers * hidden * dim],
    ['rms_final', dim],
    ['freq_cis', seqLen * hs], // real and imaginary halves, unused: RoPE is computed
  ];
  if (!tied) sizes.push(['wcls', vocab * dim]);
  const floats = sizes.reduce((a, [, n]) => a + n, 0);
  const expected = HEADER_BYTES + 4 * floats;
  if (bytes.length < expected) throw new CheckpointError(`${path}: truncated: ${bytes.length} bytes, the header's sizes need ${expected}`, 'truncated', path);
  if (bytes.length > expected) throw new CheckpointError(`${path}: ${bytes.length - expected} bytes more than the header's sizes need (${expected}); not a llama2.c legacy checkpoint`, 'bad_format', path);

  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset + HEADER_BYTES, bytes.byteOffset + expected));
  const tensors = new Map<string, Float32Array>();
  let offset = 0;
  for (const [name, n] of sizes) {
    tensors.set(name, all.subarray(offset, offset + n));
    offset += n;
  }
  const layer = (name: string, l: number, size: number) => tensors.get(name)!.subarray(l * size, (l + 1) * size);

  const config = resolveConfig({
    name: path.replace(/^.*[\\/]/, '').replace(/\.bin$/, ''),
    family: 'llama',
    vocabSize: vocab,
    nEmbd: dim,
    nLayer: layers,
    nHead: heads,
    nQueryGroups: kvHeads,
    mlpHidden: hidden,
    blockSize: seqLen,
    ropeLayout: 'interleaved',
    tiedEmbeddings: tied,
  });
  const weights = new Map<string, Float32Array>();
  weights.set('wte', Float32Array.from(tensors.get('tok')!));
  for (let l = 0; l < layers; l++) {
    const at = `layers.${l}`;
    // llama2.c stores linears [out, in] (y = W x); ours are [in, out].
    weights.set(`${at}.norm_1.weight`, Float32Array.from(layer('rms_att', l, dim)));
    weights.set(`${at}.attn.q.weight`, transpose2d(layer('wq', l, dim * dim), dim, dim));
    weights.set(`${at}.attn.k.weight`, transpose2d(layer('wk', l, kvDim * dim), kvDim, dim));
    weights.set(`${at}.attn.v.weight`, transpose2d(layer('wv', l, kvDim * dim), kvDim, dim));
    weights.set(`${at}.attn.o.weight`, transpose2d(layer('wo', l, dim * dim), dim, dim));
    weights.set(`${at}.norm_2.weight`, Float32Array.from(layer('rms_ffn', l, dim)));
    weights.set(`${at}.mlp.gate.weight`, transpose2d(layer('w1', l, hidden * dim), hidden, dim));
    weights.set(`${at}.mlp.down.weight`, transpose2d(layer('w2', l, dim * hidden), dim, hidden));
    weights.set(`${at}.mlp.up.weight`, transpose2d(layer('w3', l, hidden * dim), hidden, dim));
  }
  weights.set('norm_f.weight', Float32Array.from(tensors.get('rms_final')!));
  if (!tied) weights.set('lm_head.weight', transpose2d(tensors.get('wcls')!, vocab, dim));
  return { config, weights };
}

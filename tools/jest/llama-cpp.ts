/**
 * @module @carve/test-llama-cpp
 * llama.cpp (the npm package @fugood/llama.node, prebuilt) as an independent runtime for
 * GGUF files, run in a child process (see llama-cpp-child.js for why).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'llama-cpp-child.js');
const MARKER = '--- llama-cpp-child answer ---';

export interface LlamaCppRequest {
  /** The GGUF file. */
  model: string;
  /** Texts to tokenize, as llama.cpp does for a prompt (BOS first when the file says so). */
  tokenize?: string[];
  /** A completion: temperature 0 (greedy) unless given; n_probs top probabilities per step. */
  completion?: { prompt: string; n_predict: number; n_probs?: number; temperature?: number; top_k?: number; top_p?: number; min_p?: number };
  n_ctx?: number;
}

export interface TokenProbabilities {
  content: string;
  probs: { tok_str: string; prob: number }[];
}

export interface LlamaCppAnswer {
  tokens?: number[][];
  completion?: { text: string; probs: TokenProbabilities[]; tokens_predicted: number };
}

/** Runs `request` in llama.cpp; throws with llama.cpp's log when it fails (a file it refuses, say). */
export function runLlamaCpp(request: LlamaCppRequest): LlamaCppAnswer {
  let out: string;
  try {
    out = execFileSync(process.execPath, [CHILD], { input: JSON.stringify(request), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`llama.cpp failed on ${request.model}: ${err.message}\n${(err.stdout ?? '').slice(-4000)}\n${(err.stderr ?? '').slice(-4000)}`);
  }
  const at = out.lastIndexOf(MARKER);
  if (at < 0) throw new Error(`llama.cpp gave no answer for ${request.model}:\n${out.slice(-4000)}`);
  return JSON.parse(out.slice(at + MARKER.length)) as LlamaCppAnswer;
}

// Runs a GGUF file in llama.cpp through @fugood/llama.node, in a process of its own: jest's
// module system resolves the package's TypeScript sources instead of its built JavaScript,
// and a native crash then fails one test instead of the worker. Reads a JSON request on
// stdin, prints a JSON answer on stdout. The key/value cache is f32 (llama.cpp's default
// is f16) and flash attention off (its CPU kernel rounds through f16: probabilities then
// differ from ours by up to 7e-4 instead of under 1e-4), so that only the file's own
// precision separates llama.cpp's numbers from ours:
//   { model, threads?, tokenize?: string[], completion?: { prompt, n_predict, n_probs } }
//   -> { tokens?: number[][], completion?: { text, probs: [{ content, probs: [{ tok_str, prob }] }] } }
// after a line MARKER, since llama.cpp logs to stdout.
const { loadModel } = require('@fugood/llama.node');

const MARKER = '--- llama-cpp-child answer ---';

async function main() {
  const request = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const context = await loadModel({ model: request.model, n_ctx: request.n_ctx ?? 256, n_threads: request.threads ?? 1, n_gpu_layers: 0, use_mmap: true, cache_type_k: 'f32', cache_type_v: 'f32', flash_attn_type: 'off' });
  const answer = {};
  try {
    if (request.tokenize) {
      answer.tokens = [];
      for (const text of request.tokenize) answer.tokens.push(Array.from((await context.tokenize(text)).tokens));
    }
    if (request.completion) {
      // Greedy unless the request says otherwise, with every penalty off (llama.node's defaults
      // penalize repeats, which changes the argmax).
      const plain = { temperature: 0, seed: 0, penalty_repeat: 1, penalty_freq: 0, penalty_present: 0, dry_multiplier: 0, xtc_probability: 0 };
      const r = await context.completion({ ...plain, ...request.completion });
      answer.completion = { text: r.text, probs: r.completion_probabilities ?? [], tokens_predicted: r.tokens_predicted };
    }
  } finally {
    await context.release();
  }
  process.stdout.write(`\n${MARKER}\n${JSON.stringify(answer)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

/**
 * @module @carve/test-hf-onnx
 * Runs an ONNX decoder in Optimum's layout (onnx/model.onnx of an export) in a plain
 * onnxruntime-node session, the way transformers.js feeds it, for tests that check its logits.
 */
import * as ort from 'onnxruntime-node';

/** An int64 onnxruntime tensor of `values` with `dims`. */
export const int64 = (values: readonly number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);

/** The cache inputs of `session` with no past rows: zero rows, the other sizes as the file declares them. */
export function emptyPast(session: ort.InferenceSession, batch: number): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    if (!name.startsWith('past_key_values.')) return;
    const dims = (session.inputMetadata[i] as { shape: readonly (number | string)[] }).shape.map((d) => (d === 'batch_size' ? batch : typeof d === 'number' ? d : 0));
    past[name] = new ort.Tensor('float32', new Float32Array(0), dims);
  });
  return past;
}

/** Logits [B, T, V] of `tokens` (B rows of T ids, no padding) from an empty past. */
export async function hfDecoderLogits(file: string, tokens: readonly (readonly number[])[]): Promise<{ logits: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(file);
  const [B, T] = [tokens.length, tokens[0].length];
  try {
    const out = await session.run({
      ...emptyPast(session, B),
      input_ids: int64(tokens.flat(), [B, T]),
      attention_mask: int64(new Array(B * T).fill(1), [B, T]),
      position_ids: int64(Array.from({ length: B * T }, (_, i) => i % T), [B, T]),
    });
    return { logits: out.logits.data as Float32Array, dims: out.logits.dims };
  } finally {
    await session.release();
  }
}

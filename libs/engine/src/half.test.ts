/**
 * Half and bfloat16 conversions against known bit patterns, and a float16 input cast to
 * float32 inside ONNX Runtime, which must give exactly what fromHalf gives.
 */
import { bfloat16ToHalf, F, fromBfloat16, fromHalf, Graph, halfToFloat, Rng, Runtime, Tensor, toHalf } from './index';

const bits = (x: number) => toHalf([x])[0];

describe('toHalf', () => {
  test('gives the IEEE half-precision bits, rounding to nearest even', () => {
    expect(bits(1)).toBe(0x3c00);
    expect(bits(-2)).toBe(0xc000);
    expect(bits(65504)).toBe(0x7bff); // the largest half
    expect(bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(bits(2 ** -24)).toBe(0x0001); // the smallest subnormal
    expect(bits(2 ** -26)).toBe(0x0000); // below half of it
    expect(bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even mantissa (down)
    expect(bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie rounds to the even mantissa (up)
    expect(bits(-0)).toBe(0x8000);
    expect(bits(Infinity)).toBe(0x7c00);
    expect(bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(bits(NaN) & 0x3ff).not.toBe(0);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  test('fromHalf inverts it, and a round trip is within half a unit of the last place', () => {
    const rng = new Rng(1);
    const values = Float32Array.from({ length: 2000 }, () => rng.normal(0, 3));
    const back = fromHalf(toHalf(values));
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
    expect(Array.from(fromHalf(toHalf([0.5, 2 ** -24, 65504])))).toEqual([0.5, 2 ** -24, 65504]);
  });
});

describe('bfloat16ToHalf', () => {
  const bf16 = (values: number[]) => {
    const words = new Uint32Array(Float32Array.from(values).buffer);
    return Uint16Array.from(words, (w) => w >>> 16); // truncation: these values are exact in bfloat16
  };

  test("is exact in half's normal range, and counts overflows and the error of tiny values", () => {
    const rng = new Rng(2);
    // Random bfloat16 patterns with exponents across half's normal range (2^-14 .. 2^15).
    const normal = Uint16Array.from({ length: 5000 }, () => (rng.next() < 0.5 ? 0x8000 : 0) | ((113 + Math.floor(rng.next() * 30)) << 7) | Math.floor(rng.next() * 128));
    const got = bfloat16ToHalf(normal);
    expect(fromHalf(got.bits)).toEqual(fromBfloat16(normal));
    expect(got).toMatchObject({ overflowed: 0, maxAbsError: 0 });

    const odd = bfloat16ToHalf(bf16([1e5, -3e38, 2 ** -20 * (1 + 1 / 128), 0, -0]));
    expect(odd.overflowed).toBe(2);
    expect(Array.from(fromHalf(odd.bits))).toEqual([Infinity, -Infinity, 2 ** -20 /* the nearest half to 2^-20 + 2^-27 */, 0, -0]);
    expect(odd.maxAbsError).toBe(2 ** -27);
  });
});

describe('float16 tensors', () => {
  test('Tensor.from rounds to half and toNumbers decodes', () => {
    const t = Tensor.from('float16', [3], [1, 0.1, -65504]);
    expect(Array.from(t.data)).toEqual([0x3c00, 0x2e66, 0xfbff]);
    expect(t.toNumbers()).toEqual([1, halfToFloat(0x2e66), -65504]);
  });

  test('a float16 input cast to float32 in ONNX Runtime gives exactly fromHalf', async () => {
    const g = new Graph('half-cast');
    const w = g.input('w', 'float16', [4, 'N']);
    g.output({ y: F.cast(w, 'float32') });
    const rng = new Rng(3);
    const values = Array.from({ length: 4 * 500 }, () => rng.normal(0, 1) * 2 ** Math.floor(rng.next() * 30 - 20));
    const input = Tensor.from('float16', [4, 500], values);
    const rt = new Runtime();
    const out = await (await rt.compile(g)).run({ w: input });
    expect(out.y.dtype).toBe('float32');
    expect(out.y.data).toEqual(fromHalf(input.data));
    await rt.dispose();
  });
});

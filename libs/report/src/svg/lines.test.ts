import { lineChart } from './lines';

describe('lineChart', () => {
  const svg = lineChart({
    id: 'speed',
    label: 'tokens per second',
    xTitle: 'parameters',
    yTitle: 'tok/s',
    series: [
      { name: 'carve', label: 'carve <ORT>', colour: '#4e79a7', points: [{ x: 1, y: 10 }, { x: 2, y: 30 }], markers: true },
      { name: 'torch', label: 'PyTorch', colour: '#f28e2b', points: [{ x: 1, y: 8 }, { x: 2, y: 20 }] },
    ],
  });

  test('is a standalone SVG with one polyline per series, its points left to right', () => {
    expect(svg.startsWith('<svg id="speed" class="plot" xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const lines = [...svg.matchAll(/<polyline data-series="(\w+)" points="([^"]+)"/g)];
    expect(lines.map((m) => m[1])).toEqual(['carve', 'torch']);
    for (const [, , points] of lines) {
      const xs = points.split(' ').map((p) => Number(p.split(',')[0]));
      expect(xs[1]).toBeGreaterThan(xs[0]);
    }
  });

  test('markers carry a tooltip, and labels are escaped', () => {
    expect(svg.match(/<circle class="marker"/g)).toHaveLength(2);
    expect(svg).toContain('<title>carve &lt;ORT&gt;, step 2: 30</title>');
    expect(svg).not.toContain('<ORT>');
  });
});

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { Catalog } from './catalog';
import { LocalBackend } from './local-backend';
import { runManifestSchema } from './manifest';
import { manifest } from './testing/run-folder';

const ID = '20261128-2042-1a2b3c';

describe('the manifest records where the run ran', () => {
  test('the device is kept as written, and a manifest without one (written before it was recorded) still parses', () => {
    const device = { requested: 'auto', provider: 'cpu', description: 'CPU: Intel(R) Xeon(R) Processor, 2 cores' };
    expect(runManifestSchema.parse(manifest(ID, { device })).device).toEqual(device);
    const old = runManifestSchema.parse(manifest(ID));
    expect(old.device).toBeUndefined();
    expect(old.summary.model).toBe('stories260K');
  });

  test('a device without its provider is refused, naming the field', () => {
    const result = runManifestSchema.safeParse(manifest(ID, { device: { requested: 'cuda', description: 'CUDA device 0' } as never }));
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['device.provider']);
  });

  test('a catalog reads the device back from a run it wrote', async () => {
    const dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-manifest-'));
    try {
      const catalog = new Catalog(new LocalBackend(dir));
      const device = { requested: 'cuda', provider: 'cuda', description: 'CUDA device 0' };
      await catalog.writeManifest(ID, manifest(ID, { device }));
      expect((await catalog.showRun(ID)).manifest.device).toEqual(device);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a spec nested too deep to write (found by tools/fuzz)', () => {
  const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

  test('is refused on write, with no manifest left behind, and on read', async () => {
    const dir = fs.mkdtempSync(nodePath.join(tmpdir(), 'carve-manifest-'));
    try {
      const local = new LocalBackend(dir);
      const catalog = new Catalog(local);
      await expect(catalog.writeManifest(ID, manifest(ID, { spec: { deep } }))).rejects.toThrow(`manifest of run '${ID}': spec: nested deeper than 100 levels (at deep.0.0.0…)`);
      expect(await local.exists(`runs/${ID}/manifest.json`)).toBe(false);
      await local.putBytes(`runs/${ID}/manifest.json`, Buffer.from(JSON.stringify({ ...manifest(ID), spec: {} }).replace('"spec":{}', `"spec":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)));
      await expect(catalog.showRun(ID)).rejects.toThrow(`runs/${ID}/manifest.json: spec: nested deeper than 100 levels`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

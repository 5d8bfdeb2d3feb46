import { ConfigError } from '../config';
import { paramSpecs } from '../params';
import { PRESETS, presetConfig, presetNames } from './index';

const count = (name: string) => paramSpecs(presetConfig(name)).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);

describe('presets', () => {
  it.each(PRESETS.map((p) => [p.config.name, p.params] as const))('%s resolves and has the %d parameters written beside it', (name, params) => {
    const c = presetConfig(name);
    expect(c.name).toBe(name);
    expect(count(name)).toBe(params);
  });

  it('has unique names', () => {
    expect(new Set(presetNames()).size).toBe(PRESETS.length);
  });

  it('rejects an unknown name, listing the known ones', () => {
    expect(() => presetConfig('gpt3')).toThrow(ConfigError);
    expect(() => presetConfig('gpt3')).toThrow(`unknown preset 'gpt3' (known: ${presetNames().join(', ')})`);
  });

  it('gives stories260K the shape of the llama2.c file', () => {
    expect(presetConfig('stories260K')).toMatchObject({ nEmbd: 64, nLayer: 5, nHead: 8, nQueryGroups: 4, headSize: 8, mlpHidden: 172, vocabSize: 512, blockSize: 512, tiedEmbeddings: true, ropeLayout: 'interleaved' });
  });
});

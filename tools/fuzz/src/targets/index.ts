/**
 * @module targets
 * Every in-process target with its share of the cases: most where the inputs are richest
 * (checkpoints, tokenizers, specs), about 1,500 in all, a few seconds of work on one core.
 */
import { Target } from '../runner';
import { Seeds } from '../seeds';
import { hfConfigTarget, hfWeightsTarget, llama2cTarget, safetensorsTarget } from './checkpoint';
import { calibrationTarget, taskTarget, trainingTarget } from './data';
import { importanceTarget, manifestReadTarget, manifestWriteTarget } from './run-files';
import { specJsonTarget, specYamlTarget } from './spec';
import { tokenizerBinTarget, tokenizerJsonTarget } from './tokenizer';

export function allTargets(seeds: Seeds): Target[] {
  return [
    safetensorsTarget(seeds, 200),
    hfConfigTarget(seeds, 150),
    hfWeightsTarget(seeds, 150),
    llama2cTarget(seeds, 100),
    tokenizerJsonTarget(seeds, 120),
    tokenizerBinTarget(seeds, 100),
    specJsonTarget(seeds, 120),
    specYamlTarget(seeds, 120),
    taskTarget(seeds, 120),
    trainingTarget(seeds, 100),
    calibrationTarget(seeds, 50),
    importanceTarget(seeds, 80),
    manifestReadTarget(seeds, 80),
    manifestWriteTarget(seeds, 60),
  ];
}

export { hfConfigTarget, hfWeightsTarget, llama2cTarget, safetensorsTarget, calibrationTarget, taskTarget, trainingTarget, importanceTarget, manifestReadTarget, manifestWriteTarget, specJsonTarget, specYamlTarget, tokenizerBinTarget, tokenizerJsonTarget };

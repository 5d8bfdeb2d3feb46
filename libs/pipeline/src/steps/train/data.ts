/**
 * @module steps/train/data
 * The tokens a run trains and validates on: the tokenizer (checked against the model), the
 * data files read into training and validation rows, and, on resume, the check that the
 * files are the ones the run started with.
 */
import { ModelConfig, loadTokenizer } from '@carve/model';
import { buildTrainingData, DataLoader, DataSource, TrainingData } from '@carve/trainer';
import { TrainError } from './errors';
import { PreviousTrainRun, TrainRunRecord } from './run-folder';
import { ResolvedTrainSettings, SettingLabel } from './settings';

/** The data of a run, and the loader that batches it. */
export interface RunData {
  data: TrainingData;
  loader: DataLoader;
}

/**
 * Loads the tokenizer and the data of `s` for a model of `config`. A sequence longer than the
 * model's, a tokenizer larger than its vocabulary, or (with `previous`) changed data files
 * throw a TrainError whose settings are named by `label`.
 */
export function loadRunData(s: ResolvedTrainSettings, config: ModelConfig, label: SettingLabel, previous?: PreviousTrainRun): RunData {
  const tokenizer = loadTokenizer(s.tokenizer, { vocabSize: config.vocabSize });
  const modelIssues = [
    ...(s.seqLen > config.blockSize ? [`${label('seqLen')} ${s.seqLen} exceeds the model's block size ${config.blockSize}`] : []),
    ...(tokenizer.vocabSize > config.vocabSize ? [`${label('tokenizer')} ${s.tokenizer}: ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${config.vocabSize}`] : []),
  ];
  if (modelIssues.length) throw new TrainError(modelIssues.join('; '));
  const sources = s.data.map((path): DataSource => {
    const format = s.format ?? (path.endsWith('.jsonl') ? 'jsonl' : 'text');
    return format === 'text' ? { format, path, separator: s.separator } : { format, path };
  });
  const data = buildTrainingData(tokenizer, sources, { seqLen: s.seqLen, seed: s.seed, validationFraction: s.validationFraction });
  if (previous) checkSameData(previous.run, data.record.files, label);
  return { data, loader: new DataLoader(data) };
}

/** A resumed run must read the same data files: their contents are checked by hash. */
function checkSameData(run: TrainRunRecord, files: readonly { path: string; sha256: string }[], label: SettingLabel): void {
  const before = new Map((run.data?.files ?? []).map((f) => [f.path, f.sha256]));
  const changed = files.filter((f) => before.get(f.path) !== f.sha256).map((f) => f.path);
  if (changed.length) throw new TrainError(`${label('resume')}: ${changed.join(', ')}: changed since the run started (sha256 differs from run.json); resume with the same data, or start a new run`);
}

/**
 * @module testing/hostile
 * Report data whose every string (run, model, member, objective, task and method names,
 * stage names, file paths, the spec's fields) is a payload that would run script if a report
 * let it through as markup: each calls `pwned('<where>')`, a function the browser test
 * exposes, so any one that runs names itself. Fields typed as numbers carry payloads too, as
 * a run's JSON files read back may hold anything.
 */
import { IndexRun } from '../catalog/data';
import { ExperimentReportData } from '../experiment/report';
import { RunReportData } from '../run/data';

/** One payload per way out of a text node, a quoted attribute, `<title>`, `<style>` and inline SVG. */
export function payloads(where: string): string[] {
  return [
    `<script>pwned('${where}:script')</script>`,
    `"><img src=x onerror="pwned('${where}:img')">`,
    `'><img src=x onerror=pwned('${where}:img-single')>`,
    `javascript:pwned('${where}:url')`,
    `</style><script>pwned('${where}:style')</script>`,
    `</title><script>pwned('${where}:title')</script><title>`,
    `<svg onload="pwned('${where}:svg')"><circle r="5"/></svg>`,
    `</text></svg><svg><script>pwned('${where}:svg-script')</script></svg>`,
    `<img src=x onerror=alert('${where}:alert')>`,
    `<iframe srcdoc="<script>parent.pwned('${where}:iframe')</script>"></iframe>`,
    `line\u2028separator\u2029paragraph ${where}`,
  ];
}

/** One payload string for a field: all of them joined, so each field carries every way out. */
export const hostile = (where: string): string => payloads(where).join(' ');

/** A string where the data's type says number: what a tampered run file can hold. */
const number = (where: string) => hostile(where) as unknown as number;

/** A run report whose strings are all payloads, with links that try to leave the report's folder. */
export function hostileRun(): RunReportData {
  const [y, x] = [hostile('objective-y'), hostile('objective-x')];
  const member = hostile('member');
  const task = hostile('task');
  return {
    run: {
      id: hostile('run-id'),
      model: hostile('model'),
      status: hostile('status'),
      created: hostile('created'),
      timings: { [hostile('stage')]: 4.2 },
      spec: { name: hostile('spec-name'), model: { checkpoint: hostile('spec-checkpoint') }, plugins: [hostile('spec-plugin')], baselines: { methods: [{ name: 'flap', label: hostile('spec-label') }] } },
    },
    objectives: [
      { name: y, direction: 'minimize' },
      { name: x, direction: hostile('direction') as 'maximize' },
    ],
    trials: [0, 1, 2].map((i) => ({ index: i, params: 1000 * (i + 1), objectives: { [y]: 3 - i, [x]: i + 1 }, onFront: i !== 1, subNetwork: hostile(`sub-network-${i}`) })),
    histogram: { bins: [{ lo: 0, hi: 10, count: 2 }, { lo: 10, hi: 20, count: 1 }] },
    training: { train: [{ step: 1, loss: 3 }, { step: 2, loss: 2 }], eval: [{ step: 2, losses: { [hostile('network')]: 2.5 } }] },
    exported: [
      {
        name: member,
        params: 2000,
        objectives: { [y]: 2, [x]: 2 },
        evaluation: { [hostile('measure')]: 1.5 },
        files: [
          { path: `models/${member}/model.onnx`, bytes: 10 },
          { path: `javascript:pwned('file:url')`, bytes: 1 },
          { path: '//evil.example/model.onnx', bytes: 1 },
          { path: '/etc/passwd', bytes: 1 },
          { path: '../../../../etc/passwd', bytes: 1 },
        ],
      },
    ],
    tasks: [
      {
        name: task,
        metric: hostile('metric'),
        documents: number('documents'),
        full: { value: 0.6, stderr: 0.01, params: 4000 },
        models: [{ name: member, params: 2000, value: 0.5, stderr: 0.02, ofFull: 0.8 }],
      },
    ],
    baselines: {
      original: { params: 4000, loss: 1.2 },
      fineTuneSteps: number('fine-tune-steps'),
      exported: [{ name: member, params: 2000, loss: 1.5 }],
      models: [{ method: hostile('method'), target: member, name: hostile('baseline-model'), params: 2000, loss: 1.7 }],
    },
  };
}

/** An index of two runs sharing two objectives, with payloads for ids, models, statuses, dates and objective names. */
export function hostileIndex(): IndexRun[] {
  const objectives = [
    { name: hostile('index-objective-y'), direction: 'minimize' as const },
    { name: hostile('index-objective-x'), direction: 'minimize' as const },
  ];
  const run = (n: number): IndexRun => ({
    id: n === 0 ? '..' : hostile(`index-run-${n}`),
    model: hostile(`index-model-${n}`),
    status: hostile(`index-status-${n}`),
    created: hostile(`index-created-${n}`),
    objectives,
    front: [{ index: number(`index-trial-${n}`), objectives: { [objectives[0].name]: 1 + n, [objectives[1].name]: 2 - n } }],
    hypervolume: 1,
  });
  return [run(0), run(1)];
}

/** An experiment whose names, description, command, model, arms and methods are payloads. */
export function hostileExperiment(): ExperimentReportData {
  const method = hostile('experiment-method');
  const scores = { [hostile('experiment-task')]: { metric: hostile('experiment-metric'), value: 0.5, stderr: 0.01 } };
  const point = (m: string, kind: 'arm' | 'baseline', loss: number) => ({ method: m, kind, seed: 0, name: hostile('experiment-model'), params: 1000, latencyMs: 2, loss, tasks: scores });
  return {
    name: hostile('experiment-name'),
    description: hostile('experiment-description'),
    command: hostile('experiment-command'),
    model: hostile('experiment-model-name'),
    seeds: [number('experiment-seed')],
    arms: [{ name: hostile('arm'), ablation: hostile('ablation'), description: hostile('arm-description') }],
    results: {
      reference: { params: 2000, loss: 1, latencyMs: 4, tasks: scores, hypervolumeReference: [number('experiment-reference'), 1] },
      points: [point('method', 'arm', 1.5), point(method, 'baseline', 1.7)],
      methods: [{ method, kind: hostile('experiment-kind') as 'arm', seeds: [0], hypervolume: { mean: 0.5, std: 0, perSeed: [0.5] } }],
      budgets: [{ fraction: 0.5, params: 1000, best: method, entries: [{ method, seeds: number('experiment-seeds'), loss: { mean: 1.7, std: 0 }, tasks: {} }] }],
      dominance: [{ baseline: method, wins: [0.5], losses: [] }],
    },
  };
}

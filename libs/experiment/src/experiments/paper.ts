/**
 * @module experiments/paper
 * The paper's comparison (Sukthanker et al., 2024, Figures 1, 3 and 5 and the ablations of
 * section 5): the method against structured-pruning baselines and against each grid
 * sub-network fine-tuned alone, and the method with one of its parts changed at a time:
 * the sampler, importance sorting, distillation and its divergence, the search strategy.
 */
import { Arm, ExperimentDefinition } from '../definition';

const arms = (): Arm[] => [
  { name: 'method', ablation: 'method', description: 'the defaults: calibrated grid, importance sorting, sandwich with forward-KL distillation, NSGA-II', patch: {} },
  { name: 'sampler-random', ablation: 'sampler', description: 'sub-networks sampled uniformly from the space instead of the calibrated grid', patch: { sampler: { name: 'random' } } },
  { name: 'sampler-param-grid', ablation: 'sampler', description: 'the parameter-bin grid without calibration (a random candidate per bin)', patch: { sampler: { name: 'param-grid' } } },
  { name: 'no-importance', ablation: 'importance', description: 'no importance sorting: leading slices of the model as it is', patch: { importance: { enabled: false } } },
  { name: 'no-kd', ablation: 'distillation', description: 'sandwich training on cross-entropy only, no distillation', patch: { training: { strategy: { name: 'sandwich' } } } },
  { name: 'kd-js', ablation: 'distillation', description: 'distillation by Jensen-Shannon divergence instead of forward KL', patch: { training: { strategy: { name: 'sandwich-kd', options: { divergence: 'js' } } } } },
  { name: 'lora-rank-32', ablation: 'adapters', description: 'LoRA rank 32 (alpha 64, the same scale) instead of rank 8', patch: { training: { lora: { rank: 32, alpha: 64 } } } },
  { name: 'full-weights', ablation: 'adapters', description: 'every weight trains instead of LoRA adapters on frozen weights', patch: { training: { full: true } } },
  { name: 'lr-1e-3', ablation: 'learning rate', description: 'peak learning rate 1e-3 (the default until this experiment chose 3e-3)', patch: { training: { lr: 1e-3 } } },
  { name: 'search-random', ablation: 'search', description: 'random search instead of NSGA-II, on the same super-network', patch: { search: { strategy: { name: 'random', options: {} } } }, reuseTraining: true },
];

export const paperExperiment: ExperimentDefinition = {
  name: 'paper',
  description: "the method against pruning baselines and fine-tuned sub-networks, and its ablations (sampler, importance, distillation, adapters, learning rate, search), over seeds",
  arms,
  quickPatch: { training: { steps: 100 }, search: { budget: 24 }, evaluation: { limit: 100 }, export: { max: 4 } },
  baselines: () => ({
    baselines: {
      methods: [{ name: 'activation-width' }, { name: 'magnitude-width' }, { name: 'block-depth' }, { name: 'flap', fineTune: false }, { name: 'flap' }],
      subNetworks: true,
    },
  }),
  seeds: [0, 1, 2],
};

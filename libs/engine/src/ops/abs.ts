import { unaryFloat } from './elementwise';

// The subgradient at 0 is taken as 0, as PyTorch does.
export const absOp = unaryFloat('Abs', (g, x) => g.sign(x));

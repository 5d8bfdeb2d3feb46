import { comparison } from './elementwise';

export const lessOp = comparison('Less');

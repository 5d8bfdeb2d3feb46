import { comparison } from './elementwise';

export const greaterOp = comparison('Greater');

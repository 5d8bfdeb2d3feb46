import { comparison } from './elementwise';

export const equalOp = comparison('Equal');

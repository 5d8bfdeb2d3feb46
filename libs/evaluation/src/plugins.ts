/**
 * @module plugins
 * The built-in tasks as plugins of kind 'task'.
 */
import { hellaswagTask } from './tasks/hellaswag';
import { textClozeTask, textEndingTask } from './tasks/text';

export { hellaswagTask, textClozeTask, textEndingTask };

/** Every built-in task. */
export const taskPlugins = [hellaswagTask, textClozeTask, textEndingTask];

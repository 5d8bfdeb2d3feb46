/**
 * @module plugins
 * The built-in tasks as plugins of kind 'task'. Plugin names are lowercase-kebab, as the
 * registry requires; the tasks report results under lm-eval's names (`arc-easy` creates
 * `arc_easy`, `lambada-openai` creates `lambada_openai`, `mmlu` the `mmlu_<subject>` tasks).
 */
import { arcChallengeTask, arcEasyTask } from './tasks/arc';
import { boolqTask } from './tasks/boolq';
import { hellaswagTask } from './tasks/hellaswag';
import { lambadaOpenaiTask } from './tasks/lambada';
import { mmluTask } from './tasks/mmlu';
import { piqaTask } from './tasks/piqa';
import { textClozeTask, textEndingTask } from './tasks/text';
import { winograndeTask } from './tasks/winogrande';

export { arcChallengeTask, arcEasyTask, boolqTask, hellaswagTask, lambadaOpenaiTask, mmluTask, piqaTask, textClozeTask, textEndingTask, winograndeTask };

/** Every built-in task. */
export const taskPlugins = [arcEasyTask, arcChallengeTask, boolqTask, hellaswagTask, lambadaOpenaiTask, mmluTask, piqaTask, winograndeTask, textClozeTask, textEndingTask];

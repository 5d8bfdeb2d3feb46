/**
 * @module run/report
 * The self-contained HTML report of one compression run.
 */
import { page, section } from '../html';
import { baselinesSection } from './baselines';
import { RunReportData } from './data';
import { exportedTable } from './exported';
import { header } from './header';
import { histogramPlot } from './histogram';
import { paretoPlots } from './pareto';
import { taskPlots } from './tasks';
import { trainingPlots } from './training';

/**
 * One HTML document (inline CSS and SVG; no script, nothing fetched) with the run's facts,
 * its Pareto plots, the sampler's parameter histogram, the training curves, the exported
 * models and, when tasks were scored, their downstream task scores, and the baselines
 * measured at the same sizes when the run has them. Missing or empty parts
 * render as notes; every string is escaped.
 */
export function renderRunReport(data: RunReportData): string {
  const objectives = data.objectives ?? [];
  return page(`carve run ${data.run?.id ?? ''}`, [
    header(data),
    section('section-pareto', 'Pareto front', paretoPlots(objectives, data.trials ?? [])),
    section('section-histogram', 'Sampler grid', histogramPlot(data.histogram)),
    section('section-training', 'Training', trainingPlots(data.training)),
    section('section-exported', 'Exported models', exportedTable(objectives, data.exported ?? [])),
    // Most runs score no tasks: an empty section would only say so.
    ...(data.tasks?.length ? [section('section-tasks', 'Downstream tasks', taskPlots(data.tasks))] : []),
    ...(data.baselines ? [section('section-baselines', 'Baselines at the same sizes', baselinesSection(data.baselines))] : []),
  ].join('\n'));
}

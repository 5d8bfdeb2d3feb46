/**
 * @module @carve/report
 * Self-contained HTML reports: one per compression run, and the catalog's index comparing runs.
 */
export { renderRunReport } from './run/report';
export type { BaselineData, ExportedModel, ObjectiveSpec, RunReportData, TaskData, TrialData } from './run/data';
export { renderCatalogIndex } from './catalog/index-page';
export type { IndexRun } from './catalog/data';
export type { Direction } from './svg/scatter';
export { lineChart } from './svg/lines';
export type { LineChartOptions, LineSeries } from './svg/lines';
export { experimentFigures, renderExperimentReport } from './experiment/report';
export type { ExperimentReportData } from './experiment/report';

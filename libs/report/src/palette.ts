/** Colours shared by every chart (Tableau 10: distinct, and readable on white). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
/** Trials behind the front. */
export const FAINT = '#9aa5b1';
/** The front, drawn over everything else. */
export const ACCENT = '#d9480f';

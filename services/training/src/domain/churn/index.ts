/** Churn model training (pure: no I/O, no drivers). */
export * from './train-churn-model';
export * from './metrics';
export { stratifiedSplit, type IndexSplit } from './split';
export { mulberry32, shuffleInPlace, type Rng } from './random';
export { fitChurnEncoding } from './encoding-fit';
export { fitLogistic, type LogisticFit, type LogisticParams } from './logistic';
export { fitGbdt, type GbdtFit, type GbdtParams } from './gbdt';
export { GBDT_GRID, LOGISTIC_GRID, LOGISTIC_LOG_COLUMNS, type ChurnModelKind, type EnsembleParams, type SearchPoint } from './candidates';
export { ENSEMBLE_WEIGHTS } from './ensemble';

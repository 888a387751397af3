/** Churn model shared by training and inference: schema, encoding, spec, prediction and explanations. */
export * from './churn-features';
export * from './churn-encoding';
export * from './churn-model';
export { addTreeShap, goesLeft, predictTree, treeExpectedValue } from './tree-shap';
export * from './drift';
export * from './tasks';
export * from './task-metrics';

/** Churn model shared by training and inference: schema, spec, prediction and explanations. */
export * from './churn-features';
export * from './churn-model';
export { addTreeShap, goesLeft, predictTree, treeExpectedValue } from './tree-shap';

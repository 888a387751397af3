/** ONNX export of the churn model (writes bytes; loading and running belong to inference). */
export * from './export-churn-onnx';
export { encodeOnnxModel, type OnnxModel } from './onnx-proto';

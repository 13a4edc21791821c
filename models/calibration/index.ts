export { calibrated } from './calibrated';
export {
  applyCalibrator,
  type CalibrationMethod,
  type Calibrator,
  CalibratorSchema,
  fitCalibrator,
  parseCalibrator,
} from './calibrator';
export { applyIsotonic, fitIsotonic, type IsotonicMap } from './isotonic';
export {
  expectedCalibrationError,
  negativeLogLikelihood,
  type ReliabilityBin,
  reliabilityBins,
} from './metrics';
export { fitTemperature, softmaxWithTemperature, type TemperatureFit, temperatureNll } from './temperature';

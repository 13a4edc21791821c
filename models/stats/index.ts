export { binomialCdf, binomialLogPmf, binomialPmf, chiSquared1Sf, erfc } from './binomial';
export type { BootstrapOptions, Interval, PairedBootstrapResult, PairedSample } from './bootstrap';
export { DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, pairedBootstrap, percentileInterval } from './bootstrap';
export { accuracyFromConfusion, confusionInto, macroF1FromConfusion } from './confusion';
export type { McNemarResult } from './mcnemar';
export { discordantPairs, mcnemar, mcnemarFromPredictions } from './mcnemar';
export type { Rng } from './prng';
export { createRng, shuffled } from './prng';

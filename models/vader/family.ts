import { UnknownModelError } from '../../lib/errors';
import type { ModelFamily } from '../families';
import { VaderModel } from './model';

/** The one version of stock VADER finsent ships: the reference implementation it reproduces. */
export const VADER_BASE_VERSION = '3.3.1';

/**
 * `vader-base`: stock VADER, faithful to vaderSentiment 3.3.1, with the usual ±0.05 thresholds.
 *
 *   const model = await vaderBaseFamily.load(undefined, { env });   // vader-base@3.3.1
 */
export const vaderBaseFamily: ModelFamily = {
  name: 'vader-base',
  description: `stock VADER (vaderSentiment ${VADER_BASE_VERSION}, Hutto & Gilbert), rule-based, microseconds per text`,
  async load(version) {
    // "builtin" is how config/models.yaml names the one version that ships in the code.
    if (version !== undefined && version !== VADER_BASE_VERSION && version !== 'builtin') {
      throw new UnknownModelError(
        `vader-base has a single version, ${VADER_BASE_VERSION}; "vader-base@${version}" does not exist (use "vader-base" or "vader-base@${VADER_BASE_VERSION}")`,
        { input: `vader-base@${version}`, valid: [VADER_BASE_VERSION] },
      );
    }
    return new VaderModel('vader-base', VADER_BASE_VERSION);
  },
};

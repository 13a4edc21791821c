import { InputError } from '../../lib/errors';
import { LABELS, type Label } from '../types';

/**
 * Label names finsent understands without a map, compared case-insensitively. Numbers are
 * deliberately absent: `0` means bearish in one dataset and negative-or-neutral in another, so
 * numeric labels always need an explicit `--label-map`.
 */
const ALIASES: Readonly<Record<string, Label>> = {
  positive: 'positive',
  pos: 'positive',
  bullish: 'positive',
  bull: 'positive',
  negative: 'negative',
  neg: 'negative',
  bearish: 'negative',
  bear: 'negative',
  neutral: 'neutral',
  neu: 'neutral',
};

export type LabelMap = ReadonlyMap<string, Label>;

function aliasOf(name: string): Label | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

/**
 * Parses a label map given as `raw=label` pairs (`0=negative,1=positive,2=neutral`) or an
 * object. Targets may be any known label name (`0=bearish`).
 *
 * @example parseLabelMap('0=bearish,1=bullish,2=neutral').get('1') // 'positive'
 */
export function parseLabelMap(spec: string | Readonly<Record<string, string>>): LabelMap {
  const entries: [string, string][] =
    typeof spec === 'string'
      ? spec
          .split(',')
          .filter((part) => part.trim() !== '')
          .map((part) => {
            const eq = part.indexOf('=');
            if (eq <= 0 || eq === part.length - 1) {
              throw new InputError(
                `label map entry "${part.trim()}" is not raw=label: write it like 0=negative,1=positive,2=neutral`,
                { input: String(spec) },
              );
            }
            return [part.slice(0, eq), part.slice(eq + 1)];
          })
      : Object.entries(spec);
  if (entries.length === 0) {
    throw new InputError('the label map is empty: write it like 0=negative,1=positive,2=neutral');
  }
  const map = new Map<string, Label>();
  for (const [raw, target] of entries) {
    const label = aliasOf(target);
    if (!label) {
      throw new InputError(
        `label map entry "${raw.trim()}=${target.trim()}" maps to an unknown label: use ${LABELS.join(', ')} (or bullish/bearish)`,
        { input: String(raw) },
      );
    }
    map.set(raw.trim().toLowerCase(), label);
  }
  return map;
}

/** The canonical label for a raw value: the map first, then the built-in names; undefined if neither. */
export function mapLabel(raw: string, map: LabelMap | undefined): Label | undefined {
  const key = raw.trim().toLowerCase();
  return map?.get(key) ?? aliasOf(key);
}

export function emptyCounts(): Record<Label, number> {
  return { positive: 0, negative: 0, neutral: 0 };
}

import { InputError } from '../../lib/errors';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A `--since` / `since:` value: an ISO time, or a duration back from now.
 *
 * @example
 * parseSince('6h', new Date('2024-05-03T12:00:00Z')) // 2024-05-03T06:00:00.000Z
 */
export function parseSince(value: string, now = new Date()): Date {
  const rel = /^(\d+)([mhd])$/.exec(value.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (UNITS[rel[2] as string] as number));
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new InputError(
      `since "${value}" is neither an ISO time (2024-05-02T00:00:00Z) nor a duration (6h, 3d)`,
      {
        input: value,
      },
    );
  }
  return new Date(t);
}

/**
 * Rewrites models/data/finsent-headlines.{train,validation,test}.jsonl from the full set.
 * Run after editing the set: `npx tsx scripts/make-headline-splits.ts`; a test fails while the
 * committed split files differ from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { headlinesPath, readHeadlineRecords, renderHeadlineSplits } from '../models/datasets';
import { SPLIT_NAMES } from '../models/datasets/split';

const splits = renderHeadlineSplits(readHeadlineRecords());
for (const name of SPLIT_NAMES) {
  writeFileSync(headlinesPath(name), splits[name]);
  console.log(`${headlinesPath(name)}: ${splits[name].split('\n').length - 1} rows`);
}

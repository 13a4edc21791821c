/**
 * finsent's hand-written financial prior: the valence a term carries in financial news, on VADER's
 * scale (−4…+4), for words the stock lexicon lacks (rose, fell, downgrade…) or gets wrong for
 * finance (share 1.2, interest 2.0, beating −2.0…), and a few phrases whose words mislead on their
 * own (net loss, beat estimates, guidance cut…). These are NOT the model: the trainer shrinks each
 * learned valence toward this prior (toward the stock value where the prior is silent), and keeps
 * the prior where the training data has too little support. Values were set by reading the terms'
 * typical use in earnings news and analyst notes, not fitted to any dataset.
 */
// biome-ignore format: a packed table reads better than one entry per line
export const FINANCIAL_PRIOR: Readonly<Record<string, number>> = {
  // Neutral in finance, positive in everyday English.
  share: 0, shares: 0, interest: 0, interests: 0, credit: 0, credits: 0, trust: 0, security: 0,
  securities: 0, like: 0, please: 0, free: 0.3, care: 0, fund: 0, funds: 0, reserve: 0, reserves: 0,
  // Results and guidance.
  beat: 1.8, beats: 1.9, beating: 1.5, topped: 1.6, tops: 1.5, exceeded: 1.8, exceeds: 1.8, exceed: 1.6,
  miss: -1.8, misses: -1.9, missed: -1.9, shortfall: -2.0, disappointing: -2.2, disappoints: -2.1,
  profit: 1.6, profits: 1.6, profitable: 2.0, profitability: 1.5, loss: -1.8, losses: -1.8,
  writedown: -2.0, 'write-down': -2.0, impairment: -1.8, deficit: -1.5,
  growth: 1.5, grew: 1.4, grow: 1.2, grows: 1.3, expand: 1.0, expanded: 1.2, expansion: 1.0,
  increase: 1.0, increased: 1.1, increases: 1.0, increasing: 0.9,
  decrease: -1.2, decreased: -1.3, decreases: -1.2, decreasing: -1.2,
  improve: 1.5, improved: 1.6, improves: 1.6, improvement: 1.5, improving: 1.4,
  strong: 1.8, stronger: 1.9, strongest: 2.0, robust: 1.8, solid: 1.4, upbeat: 2.0,
  weak: -2.0, weaker: -2.0, weakest: -2.1, weakness: -1.8, sluggish: -1.6, soft: -0.8,
  raise: 0.9, raises: 1.2, raised: 1.2, lifts: 1.3, lifted: 1.3, boosts: 1.6, boosted: 1.6,
  cut: -1.3, cuts: -1.4, cutting: -1.2, slash: -1.8, slashes: -1.9, slashed: -1.9, trims: -1.0, trimmed: -1.0,
  lower: -1.0, lowers: -1.3, lowered: -1.3, lowering: -1.2, higher: 0.9,
  record: 0.8, recovery: 1.4, rebound: 1.7, rebounds: 1.7, rebounded: 1.7, turnaround: 1.5,
  headwinds: -1.5, tailwinds: 1.4, downturn: -2.0, recession: -2.5, slowdown: -1.7,
  // Price moves.
  rise: 1.3, rises: 1.3, rose: 1.3, rising: 1.2, risen: 1.3,
  gain: 1.5, gains: 1.5, gained: 1.5, gaining: 1.4,
  climb: 1.5, climbs: 1.5, climbed: 1.5, climbing: 1.4,
  jump: 1.8, jumps: 1.8, jumped: 1.8, jumping: 1.7,
  surge: 2.2, surges: 2.2, surged: 2.2, surging: 2.2,
  soar: 2.4, soars: 2.4, soared: 2.4, soaring: 2.4,
  rally: 2.0, rallies: 2.0, rallied: 2.0, rallying: 2.0,
  fall: -1.4, falls: -1.4, fell: -1.4, falling: -1.4, fallen: -1.4,
  drop: -1.4, drops: -1.4, dropped: -1.4, dropping: -1.4,
  decline: -1.5, declines: -1.5, declined: -1.5, declining: -1.5,
  slide: -1.5, slides: -1.5, slid: -1.5, sliding: -1.5, slip: -1.2, slips: -1.2, slipped: -1.2,
  sink: -1.8, sinks: -1.8, sank: -1.8, sinking: -1.8,
  slump: -2.2, slumps: -2.2, slumped: -2.2, slumping: -2.2,
  tumble: -2.3, tumbles: -2.3, tumbled: -2.3, tumbling: -2.3,
  plunge: -2.6, plunges: -2.6, plunged: -2.6, plunging: -2.6,
  plummet: -2.8, plummets: -2.8, plummeted: -2.8, plummeting: -2.8,
  tank: -2.0, tanks: -2.0, tanked: -2.2, crater: -2.4, cratered: -2.5, selloff: -2.0, 'sell-off': -2.0,
  // Analysts and markets.
  upgrade: 2.0, upgrades: 2.0, upgraded: 2.1, downgrade: -2.0, downgrades: -2.0, downgraded: -2.1,
  outperform: 2.0, outperforms: 2.0, outperformed: 2.0, underperform: -2.0, underperforms: -2.0,
  underperformed: -2.0, overweight: 1.5, underweight: -1.5, bullish: 2.5, bearish: -2.5,
  upside: 1.5, downside: -1.5, volatile: -0.8, volatility: -0.6, lags: -1.2, lagged: -1.2,
  // Corporate events.
  bankruptcy: -3.0, insolvency: -2.8, insolvencies: -2.8, default: -2.2, defaults: -2.2,
  layoffs: -2.0, layoff: -2.0, lawsuit: -1.8, lawsuits: -1.8, sued: -1.8, sues: -1.6, probe: -1.5,
  fined: -1.8, penalty: -1.5, recall: -1.5, recalls: -1.5, halted: -1.5, suspended: -1.5, delayed: -1.2,
  warns: -1.8, warned: -1.8, accretive: 1.5, dilutive: -1.2, buyback: 1.0, dividend: 0.8,
  approval: 1.5, approved: 1.4, awarded: 1.5, wins: 1.8, won: 1.6,
  // Phrases (matched as one token after VADER's tokenisation).
  'net loss': -2.2, 'operating loss': -2.0, 'pre-tax loss': -2.0, 'net profit': 1.6, 'operating profit': 1.4,
  'beat estimates': 2.3, 'beats estimates': 2.3, 'missed estimates': -2.3, 'misses estimates': -2.3,
  'guidance cut': -2.2, 'cuts guidance': -2.2, 'lowers guidance': -2.2, 'raises guidance': 2.0,
  'raised guidance': 2.0, 'profit warning': -2.5, 'all-time high': 1.8, 'record high': 1.8,
  'record low': -1.8, '52-week low': -1.5, '52-week high': 1.2, 'loss narrowed': 1.0, 'loss widened': -2.0,
  'job cuts': -2.0, 'price target raised': 1.8, 'price target cut': -1.8, 'strong buy': 2.5,
};

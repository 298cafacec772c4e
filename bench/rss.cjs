// Preloaded (`node -r bench/rss.cjs ...`) into each measured process: writes its peak resident
// set size in bytes to $SENDCHECK_RSS_FILE when it exits, so tsc and sendcheck are measured alike.
'use strict';
process.on('exit', () => {
  const file = process.env.SENDCHECK_RSS_FILE;
  if (file) require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
});

// Preloaded (`node -r bench/rss.cjs ...`) into each measured process: writes its peak resident
// set size in bytes and the CPU time it used (user + system, ms) to $SENDCHECK_RSS_FILE when it
// exits, so tsc, pyright and sendcheck are measured alike. CPU time is reported beside wall time
// because it barely moves when other processes share the machine.
'use strict';
process.on('exit', () => {
  const file = process.env.SENDCHECK_RSS_FILE;
  if (!file) return;
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(file, JSON.stringify({ rss: u.maxRSS * 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
});

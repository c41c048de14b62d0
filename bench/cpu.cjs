// Preloaded (`node -r bench/cpu.cjs …`) by bench/lib.mjs: at exit, reports the CPU time the
// process used (user + system, microseconds) on stderr, for a measure that a busy machine
// distorts less than wall time.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  require('node:fs').writeSync(2, `\n__bench_cpu_us__ ${user + system}\n`);
});

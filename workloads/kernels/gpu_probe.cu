// Kernels that characterise a real GPU before its timings are compared with the simulator's:
// the fixed cost of a launch (an empty kernel timed with events) and the SM clock the card is
// actually running at (clock64 cycles per %globaltimer nanosecond), which a boosting GPU does not
// report through any driver attribute.
extern "C" __global__ void probe_empty() {}

// One thread spins for `spin_ns` nanoseconds of %globaltimer and records the nanoseconds and
// clock64 cycles that passed: out[0] = ns, out[1] = cycles.
extern "C" __global__ void probe_sm_clock(unsigned long long* out, unsigned long long spin_ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  const long long c0 = clock64();
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  } while (t - t0 < spin_ns);
  const long long c1 = clock64();
  out[0] = t - t0;
  out[1] = static_cast<unsigned long long>(c1 - c0);
}

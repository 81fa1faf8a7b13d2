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

// Reads `words` 16-byte words (a buffer twice the L2) so that a following launch finds none of its
// data in L2, and leaves L2 holding clean lines: writing the buffer instead would leave it full of
// dirty lines whose write-backs would then be charged to the timed kernel. The sum is stored only
// when it equals `never` (the host passes a value the zeroed buffer cannot sum to), so the loads
// cannot be optimised away and nothing is written.
extern "C" __global__ void probe_flush_read(const uint4* buffer, unsigned long long words, unsigned never,
                                            unsigned* sink) {
  unsigned acc = 0;
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < words;
       i += (unsigned long long)gridDim.x * blockDim.x) {
    const uint4 v = buffer[i];
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == never) sink[0] = acc;
}

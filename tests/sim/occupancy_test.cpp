// Occupancy and launch validation, against cases derived by hand with the CUDA occupancy
// calculator's rules (derivations in the comments) on the V100 and H100 configs.
#include <gtest/gtest.h>

#include "sim/gpu_config.h"
#include "sim/occupancy.h"

namespace gpusim::sim {
namespace {

GpuConfig v100() { return default_gpu_config(); }
GpuConfig h100() { return load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini"); }

Occupancy occupancy(const GpuConfig& c, int threads, int regs, int smem) {
  return compute_occupancy(c, KernelResources{threads, regs, smem, 0});
}

// 256 threads = 8 warps; 32 regs x 32 = 1024 regs/warp -> 16384/1024 = 16 warps per sub-core,
// 64 per SM -> 8 CTAs. Threads 2048/256 = 8, warps 64/8 = 8, CTA slots 32: 8 CTAs, 100%.
TEST(Occupancy, FullOccupancyTiesGoToThreads) {
  Occupancy o = occupancy(v100(), 256, 32, 0);
  EXPECT_EQ(o.ctas_per_sm, 8);
  EXPECT_EQ(o.active_warps_per_sm, 64);
  EXPECT_DOUBLE_EQ(o.occupancy, 1.0);
  EXPECT_EQ(o.limiter, OccupancyLimiter::Threads);
  EXPECT_EQ(o.limit(OccupancyLimiter::Registers), 8);
  EXPECT_EQ(o.shared_carveout_bytes, 0);
}

// A chip that holds 1024 threads per SM (sm.max_threads) in its 64 warp slots: one 1024-thread
// CTA fills it (32 warps = 1024 / 32), 100 % as CUDA reports occupancy relative to
// maxThreadsPerMultiProcessor / 32, not 50 % of the slots (an outside architect's sweep).
TEST(Occupancy, RelativeToTheThreadsAnSmHolds) {
  GpuConfig c = v100();
  c.max_threads_per_sm = 1024;
  const Occupancy o = occupancy(c, 1024, 32, 0);
  EXPECT_EQ(o.ctas_per_sm, 1);
  EXPECT_EQ(o.active_warps_per_sm, 32);
  EXPECT_DOUBLE_EQ(o.occupancy, 1.0);
  EXPECT_EQ(c.resident_warps_per_sm(), 32);
  EXPECT_EQ(compute_peaks(c).warps_in_flight, 32LL * c.num_sms);
}

// 64 regs: 2048 regs/warp -> 8 warps per sub-core, 32 per SM -> 4 CTAs of 8 warps: 50%
// (the CUDA occupancy calculator's 50% for 64 regs at 256 threads on cc 7.0).
TEST(Occupancy, RegisterLimited) {
  Occupancy o = occupancy(v100(), 256, 64, 0);
  EXPECT_EQ(o.ctas_per_sm, 4);
  EXPECT_EQ(o.limiter, OccupancyLimiter::Registers);
  EXPECT_DOUBLE_EQ(o.occupancy, 0.5);
  EXPECT_EQ(o.registers_per_cta, 8 * 2048);
}

// 37 regs x 32 = 1184, rounded up to the 256-register granule: 1280 per warp.
// 16384 / 1280 = 12 warps per sub-core (not 12.8), 48 per SM; 128-thread CTAs = 4 warps: 12 CTAs, 75%.
TEST(Occupancy, RegisterGranularityRoundsUp) {
  Occupancy o = occupancy(v100(), 128, 37, 0);
  EXPECT_EQ(o.ctas_per_sm, 12);
  EXPECT_EQ(o.limiter, OccupancyLimiter::Registers);
  EXPECT_DOUBLE_EQ(o.occupancy, 0.75);
}

// 13000 B static shared -> rounded to 256 B: 13056 B. 98304 / 13056 = 7.5 -> 7 CTAs (threads
// would allow 8). 7 x 13056 = 91392 B resident -> the 96 KiB carve-out, leaving 32 KiB of L1.
TEST(Occupancy, SharedMemoryLimitedAndCarveout) {
  Occupancy o = occupancy(v100(), 256, 32, 13000);
  EXPECT_EQ(o.ctas_per_sm, 7);
  EXPECT_EQ(o.limiter, OccupancyLimiter::SharedMemory);
  EXPECT_EQ(o.shared_per_cta_bytes, 13056);
  EXPECT_EQ(o.shared_carveout_bytes, 96 * 1024);
  // 1024 threads, 20000 B: threads allow 2 CTAs, shared 98304/20224 = 4; 2 x 20224 = 40448 B
  // resident -> the 64 KiB carve-out.
  Occupancy big = occupancy(v100(), 1024, 32, 20000);
  EXPECT_EQ(big.ctas_per_sm, 2);
  EXPECT_EQ(big.limiter, OccupancyLimiter::Threads);
  EXPECT_EQ(big.shared_carveout_bytes, 64 * 1024);
}

// One-warp blocks: threads and warps would allow 64 CTAs, but an SM holds 32: 50%.
TEST(Occupancy, CtaSlotLimited) {
  Occupancy o = occupancy(v100(), 32, 16, 0);
  EXPECT_EQ(o.ctas_per_sm, 32);
  EXPECT_EQ(o.limiter, OccupancyLimiter::CtaSlots);
  EXPECT_DOUBLE_EQ(o.occupancy, 0.5);
}

// 96 threads = 3 warps at 255 regs: 8160 -> 8192 regs per warp; 16384 / 8192 = 2 warps per
// sub-core, 8 per SM -> 2 CTAs (6 warps). A partial last warp still takes a whole warp: 65
// threads = 3 warps too.
TEST(Occupancy, PartialWarpsAndMaxRegisters) {
  Occupancy o = occupancy(v100(), 96, 255, 0);
  EXPECT_EQ(o.ctas_per_sm, 2);
  EXPECT_EQ(o.warps_per_cta, 3);
  EXPECT_EQ(occupancy(v100(), 65, 255, 0).warps_per_cta, 3);
}

// H100: the driver reserves 1 KiB per block and shared memory is allocated in 128 B units.
// 102400 B dynamic + 1024 reserved = 103424 B; 233472 / 103424 = 2.26 -> 2 CTAs.
TEST(Occupancy, H100ReservedSharedMemory) {
  GpuConfig c = h100();
  Occupancy o = compute_occupancy(c, KernelResources{256, 32, 0, 102400});
  EXPECT_EQ(o.shared_per_cta_bytes, 103424);
  EXPECT_EQ(o.ctas_per_sm, 2);
  EXPECT_EQ(o.limiter, OccupancyLimiter::SharedMemory);
  // No shared memory at all still costs the reservation: 233472 / 1024 = 228 (> 8 by threads).
  EXPECT_EQ(occupancy(c, 256, 32, 0).limit(OccupancyLimiter::SharedMemory), 228);
  // 2 x 103424 = 206848 B -> the 228 KiB carve-out (the next below, 196 KiB, is 200704 B).
  EXPECT_EQ(o.shared_carveout_bytes, 228 * 1024);
}

TEST(LaunchValidation, AcceptsAnOrdinaryLaunch) {
  EXPECT_FALSE(validate_launch(v100(), {1000, 1, 1}, {256, 1, 1}, {0, 32, 1024, 4096}));
  EXPECT_FALSE(validate_launch(v100(), {1, 1, 1}, {32, 32, 1}, {0, 64, 0, 0}));  // 1024 x 64 regs = 65536
}

TEST(LaunchValidation, MessagesAUserRecognises) {
  GpuConfig c = v100();
  EXPECT_EQ(validate_launch(c, {1, 1, 1}, {1025, 1, 1}, {}).value_or(""),
            "block of 1025 threads exceeds the limit of 1024 on " + c.name);
  EXPECT_EQ(validate_launch(c, {1, 1, 1}, {32, 32, 2}, {}).value_or(""),
            "block of 2048 threads exceeds the limit of 1024 on " + c.name);
  EXPECT_EQ(validate_launch(c, {1, 1, 1}, {128, 1, 1}, {0, 0, 0, 100000}).value_or(""),
            "dynamic shared memory 100000 B + static 0 B exceeds the per-block limit of 98304 B on " + c.name);
  EXPECT_EQ(validate_launch(c, {0, 1, 1}, {128, 1, 1}, {}).value_or(""), "zero grid dimension (grid = 0 x 1 x 1)");
  EXPECT_EQ(validate_launch(c, {1, 1, 1}, {128, 0, 1}, {}).value_or(""), "zero block dimension (block = 128 x 0 x 1)");
  EXPECT_EQ(validate_launch(c, {1, 1, 1}, {128, 1, 1}, {0, 300, 0, 0}).value_or(""),
            "kernel needs 300 registers per thread, more than 255");
  EXPECT_EQ(validate_launch(c, {1, 1, 1}, {1, 1, 65}, {}).value_or(""), "block dimension z = 65 exceeds the limit of 64");
  EXPECT_EQ(validate_launch(c, {1, 65536, 1}, {1, 1, 1}, {}).value_or(""),
            "grid dimension y = 65536 exceeds the limit of 65535");
}

// 1024 threads x 65 regs: 2080 -> 2304 per warp x 32 warps = 73728 > 65536 per block.
// 544 threads (17 warps) x 120 regs: 3840 per warp x 17 = 65280 fits, but the hardware check
// rounds the warps up to a multiple of the 4 sub-cores: 3840 x 20 = 76800 > 65536.
TEST(LaunchValidation, TooManyRegistersPerBlock) {
  GpuConfig c = v100();
  std::string message = validate_launch(c, {1, 1, 1}, {1024, 1, 1}, {0, 65, 0, 0}).value_or("");
  EXPECT_NE(message.find("too many resources requested for launch"), std::string::npos) << message;
  EXPECT_NE(message.find("73728"), std::string::npos) << message;
  message = validate_launch(c, {1, 1, 1}, {544, 1, 1}, {0, 120, 0, 0}).value_or("");
  EXPECT_NE(message.find("76800"), std::string::npos) << message;
  EXPECT_EQ(occupancy(c, 544, 120, 0).ctas_per_sm, 0);
}

TEST(LaunchValidation, H100AllowsLargerSharedBlocks) {
  GpuConfig c = h100();
  EXPECT_FALSE(validate_launch(c, {1, 1, 1}, {256, 1, 1}, {0, 32, 0, 232448}));  // 227 KiB
  EXPECT_TRUE(validate_launch(c, {1, 1, 1}, {256, 1, 1}, {0, 32, 1, 232448}));
}

}  // namespace
}  // namespace gpusim::sim

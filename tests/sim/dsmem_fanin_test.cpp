// Distributed shared memory with the receiving side (sim/dsmem_network.h) on configs/h100.ini:
// k CTAs of a cluster that stream remote loads or atomics to one peer share that peer's receive
// port and banks, so they take ~k times as long as the same k CTAs each streaming to its own peer;
// the expectations are worked out by hand from the configured rates (32 B/clk send and receive,
// 200 cycles SM-to-SM latency, 32 banks x 4 B). A single sender's latency is unchanged (the
// p-chase of cluster_timing_test.cpp, 200 cycles per hop), and the cycles are the same for every
// host thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/sim_device.h"

namespace gpusim {
namespace {

const std::string kHeader = ".version 8.0\n.target sm_90a\n.address_size 64\n";
constexpr int kSenders = 4;       // k
constexpr int kThreads = 256;     // per sender CTA: 8 warps
constexpr int kOpsPerThread = 8;  // remote instructions per thread

// With `receiver_stores`: the receiving rank k's 8 warps store 80 x 512 B into their own banks
// (80 x 8 x 4 = 2560 passes) from the start of the senders' window; its thread 0 stores the
// cycles at out[k].
std::string receiver_sts() {
  std::string s = "  setp.ne.u32 %p, %rank, " + std::to_string(kSenders) + ";\n  @%p bra DONE;\n"
                  "  shl.b32 %r0, %lt, 4;\n  add.u32 %a, %sb, %r0;\n  mov.b32 %r3, 7;\n  bar.sync 0;\n"
                  "  mov.u64 %c0, %clock64;\n";
  for (int i = 0; i < 80; ++i) s += "  st.shared.v4.b32 [%a], {%r3, %r3, %r3, %r3};\n";
  s += "  bar.sync 0;\n  mov.u64 %c1, %clock64;\n  setp.ne.u32 %p, %lt, 0;\n  @%p bra DONE;\n"
       "  sub.u64 %c1, %c1, %c0;\n  cvt.u32.u64 %r1, %c1;\n  ld.param.u64 %out, [p_out];\n"
       "  st.global.u32 [%out+" + std::to_string(4 * kSenders) + "], %r1;\n";
  return s;
}

// Cluster of 2k CTAs. Ranks 0..k-1 send, each thread kOpsPerThread independent remote accesses
// (all issued before any result is used, so a warp has them all in flight), between two
// bar.syncs; thread 0 stores the cycles at out[rank]. The peer of sender r is rank k (`one_peer`)
// or rank k + r. `op(i)` is the i-th remote instruction: %a is this thread's 16 bytes in the
// peer's buffer, %w the peer's word 0; it leaves its result in %v<4i>.
std::string fanin_ptx(bool one_peer, std::string (*op)(int), bool receiver_stores = false) {
  std::string ops, uses;
  for (int i = 0; i < kOpsPerThread; ++i) {
    ops += op(i);
    uses += "  add.u32 %s, %s, %v" + std::to_string(4 * i) + ";\n";
  }
  const std::string k = std::to_string(kSenders);
  return kHeader + R"(
.visible .entry fanin(.param .u64 p_out)
{
  .reg .u32 %lt, %rank, %sb, %a, %w, %s, %v<32>, %r<4>, %peer;
  .reg .u64 %out, %o, %c0, %c1;
  .reg .pred %p;
  .shared .align 16 .b8 buf[32768];
  mov.u32 %lt, %tid.x;
  mov.u32 %rank, %cluster_ctarank;
  mov.u32 %sb, buf;
  mov.u32 %s, 0;
  barrier.cluster.arrive;
  barrier.cluster.wait;
  setp.ge.u32 %p, %rank, )" + k + R"(;
  @%p bra RECEIVER;
  )" + (one_peer ? "mov.u32 %peer, " + k + ";" : "add.u32 %peer, %rank, " + k + ";") + R"(
  mapa.shared::cluster.u32 %w, %sb, %peer;
  shl.b32 %r0, %lt, 4;
  add.u32 %a, %w, %r0;
  bar.sync 0;
  mov.u64 %c0, %clock64;
)" + ops + uses + R"(  bar.sync 0;
  mov.u64 %c1, %clock64;
  setp.ne.u32 %p, %lt, 0;
  @%p bra DONE;
  sub.u64 %c1, %c1, %c0;
  cvt.u32.u64 %r1, %c1;
  ld.param.u64 %out, [p_out];
  mul.wide.u32 %o, %rank, 4;
  add.u64 %out, %out, %o;
  st.global.u32 [%out], %r1;
  st.global.u32 [%out+64], %s;
  bra.uni DONE;
RECEIVER:
)" + (receiver_stores ? receiver_sts() : "") + R"(DONE:
  barrier.cluster.arrive;
  barrier.cluster.wait;
  ret;
}
)";
}

// 16-byte remote loads, 4096 B apart per op: a warp instruction moves 512 B (16 cycles of a
// 32 B/clk port) and takes 4 bank passes at the receiver.
std::string load_v4(int i) {
  const std::string v = std::to_string(4 * i);
  return "  ld.shared::cluster.v4.u32 {%v" + v + ", %v" + std::to_string(4 * i + 1) + ", %v" + std::to_string(4 * i + 2) +
         ", %v" + std::to_string(4 * i + 3) + "}, [%a+" + std::to_string(4096 * i) + "];\n";
}
// No remote access at all (the senders only time themselves).
std::string no_remote(int i) { return "  mov.u32 %v" + std::to_string(4 * i) + ", 0;\n"; }
// Remote atomics that all lanes of a warp aim at one word: 128 B (4 port cycles) but 32 bank
// passes at the receiver (shared atomics serialise per bank, sm_memory_pipeline.cpp).
std::string atomic_one_word(int i) { return "  atom.shared::cluster.add.u32 %v" + std::to_string(4 * i) + ", [%w], 1;\n"; }

struct Outcome {
  std::vector<uint32_t> cycles;  // per sender
  uint32_t receiver = 0;         // rank k's store window (receiver_stores)
  nlohmann::json report;
  uint64_t total_cycles = 0;
  std::string error;
  uint32_t slowest() const { return *std::max_element(cycles.begin(), cycles.end()); }
};

Outcome run(const std::string& ptx, std::vector<std::string> overrides = {}, unsigned threads = 1) {
  runtime::SimDeviceOptions options;
  options.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/h100.ini";
  options.overrides = std::move(overrides);
  options.mode = runtime::SimMode::Timing;
  options.threads = threads;
  Outcome r;
  try {
    auto dev = runtime::make_sim_device(options);
    const auto mod = dev->load_ptx("dsmem_fanin", ptx);
    const auto out = dev->alloc(32 * 4);
    dev->memset(out, 0, 32 * 4);
    runtime::LaunchConfig cfg;
    cfg.grid = {2 * kSenders, 1, 1};
    cfg.block = {kThreads, 1, 1};
    cfg.cluster = {2 * kSenders, 1, 1};
    const runtime::LaunchStats stats = dev->launch(mod, "fanin", cfg, runtime::args(out));
    const std::vector<uint32_t> words = dev->download<uint32_t>(out, 32);
    r.cycles.assign(words.begin(), words.begin() + kSenders);
    r.receiver = words[kSenders];
    r.report = nlohmann::json::parse(stats.report_json);
    r.total_cycles = stats.cycles;
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

TEST(DsmemFanin, SendersToOnePeerShareItsReceivePort) {
  // Each sender: 256 threads x 8 loads x 16 B = 32 KiB = 1024 cycles of its own 32 B/clk port.
  // Own peers: the senders run side by side, 1024 + 200 (latency) cycles each (+ issue).
  // One peer: its receive port takes the 4 x 32 KiB one after another: 4 x 1024 + 200.
  const Outcome own = run(fanin_ptx(false, load_v4)), shared = run(fanin_ptx(true, load_v4));
  ASSERT_TRUE(own.error.empty()) << own.error;
  ASSERT_TRUE(shared.error.empty()) << shared.error;
  const uint32_t per_sender = kThreads * kOpsPerThread * 16 / 32;  // 1024 port cycles
  EXPECT_GE(own.slowest(), per_sender + 200);
  EXPECT_LE(own.slowest(), per_sender + 200 + 100);
  EXPECT_GE(shared.slowest(), kSenders * per_sender + 200);
  EXPECT_LE(shared.slowest(), kSenders * per_sender + 200 + 100);
  const double ratio = double(shared.slowest()) / own.slowest();
  EXPECT_GT(ratio, 0.8 * kSenders * per_sender / (per_sender + 200.0));
  std::printf("[ measured ] %d senders x 32 KiB: own peers %u cycles, one peer %u cycles (x%.2f)\n", kSenders,
              own.slowest(), shared.slowest(), ratio);
  // The receivers' banks took the loads: 4 passes per 512-B warp load, 8 warps x 8 loads per sender.
  const uint64_t loads = uint64_t(kSenders) * (kThreads / 32) * kOpsPerThread;
  EXPECT_EQ(shared.report["dsmem"]["requests"].get<uint64_t>(), loads);
  EXPECT_EQ(shared.report["dsmem"]["received_requests"].get<uint64_t>(), loads);
  EXPECT_EQ(shared.report["dsmem"]["received_wavefronts"].get<uint64_t>(), 4 * loads);
}

TEST(DsmemFanin, ReceivePortRateIsTheConfiguredOne) {
  // A receive port twice as wide as the send ports: one peer takes 4 x 32 KiB at 64 B/clk.
  const Outcome wide = run(fanin_ptx(true, load_v4), {"cluster.dsmem_receive_bytes_per_clock=64"});
  ASSERT_TRUE(wide.error.empty()) << wide.error;
  const uint32_t per_sender = kThreads * kOpsPerThread * 16 / 32;
  EXPECT_GE(wide.slowest(), kSenders * per_sender / 2 + 200);
  EXPECT_LE(wide.slowest(), kSenders * per_sender / 2 + 200 + 100);
  std::printf("[ measured ] one peer with a 64 B/clk receive port: %u cycles\n", wide.slowest());
}

TEST(DsmemFanin, ConflictingRemoteAtomicsAreCountedAndSerialisedAtTheReceiver) {
  // All 32 lanes of a warp add to one word of the peer: 128 B on the wire (4 cycles) but 32 bank
  // passes at the receiver, which holds its port for them. One peer: 4 senders x 64 warp atomics
  // x 32 passes = 8192 cycles; own peers: 64 x 32 = 2048 each.
  const Outcome own = run(fanin_ptx(false, atomic_one_word)), shared = run(fanin_ptx(true, atomic_one_word));
  ASSERT_TRUE(own.error.empty()) << own.error;
  ASSERT_TRUE(shared.error.empty()) << shared.error;
  const uint32_t per_sender = (kThreads / 32) * kOpsPerThread * 32;  // 2048 bank passes
  EXPECT_GE(own.slowest(), per_sender + 200);
  EXPECT_LE(own.slowest(), per_sender + 200 + 100);
  EXPECT_GE(shared.slowest(), kSenders * per_sender + 200);
  EXPECT_LE(shared.slowest(), kSenders * per_sender + 200 + 100);
  const uint64_t atomics = uint64_t(kSenders) * (kThreads / 32) * kOpsPerThread;
  EXPECT_EQ(shared.report["dsmem"]["received_wavefronts"].get<uint64_t>(), 32 * atomics);
  std::printf("[ measured ] one-word remote atomics: own peers %u cycles, one peer %u cycles\n", own.slowest(),
              shared.slowest());
}

TEST(DsmemFanin, RemoteAccessesHoldTheReceiversBanks) {
  // Rank k stores 2560 bank passes while the 4 senders stream their loads from it: those take
  // 4 passes every 16 cycles of its receive port (a quarter of its banks' time) from about half
  // the latency (100 cycles) on, so its window W = 2560 + (W - 100) / 4, i.e. W = 3380; beside
  // senders that touch no peer it stays 2560.
  const Outcome busy = run(fanin_ptx(true, load_v4, true)), quiet = run(fanin_ptx(true, no_remote, true));
  ASSERT_TRUE(busy.error.empty()) << busy.error;
  ASSERT_TRUE(quiet.error.empty()) << quiet.error;
  EXPECT_NEAR(double(quiet.receiver), 2560.0, 0.03 * 2560);
  EXPECT_NEAR(double(busy.receiver), 3380.0, 0.05 * 3380);
  std::printf("[ measured ] receiver's 2560 STS passes: %u cycles alone, %u while 4 peers read it\n", quiet.receiver,
              busy.receiver);
}

TEST(DsmemFanin, SameCyclesForEveryThreadCount) {
  const std::string ptx = fanin_ptx(true, load_v4);
  const Outcome one = run(ptx, {}, 1), two = run(ptx, {}, 2), three = run(ptx, {}, 3);
  ASSERT_TRUE(one.error.empty()) << one.error;
  EXPECT_EQ(one.total_cycles, two.total_cycles);
  EXPECT_EQ(one.total_cycles, three.total_cycles);
  EXPECT_EQ(one.cycles, two.cycles);
  EXPECT_EQ(one.cycles, three.cycles);
}

}  // namespace
}  // namespace gpusim

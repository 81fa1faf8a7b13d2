// Host side of the microbenchmarks: builds the inputs, launches, and checks every output against
// an independent host computation before reporting a number.
#include "workloads/ubench.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workloads/half.h"
#include "workloads/workload_support.h"

namespace gpusim::workloads::ubench {
namespace {

// The chain walk is checked against this; a mismatch means the simulation is wrong and the
// timing would be meaningless.
void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("ubench: " + what);
}

constexpr int kFfmaChains = 8;   // FFMA_CHAINS in ubench_throughput.cu
constexpr int kMmaChains = 4;    // MMA_CHAINS in ubench_throughput.cu
constexpr int kSharedWords = kSharedReadWords;

// Shape of a global chain: `elements` 8-byte links, `stride_bytes` apart.
struct ChainShape {
  uint64_t elements;
  uint64_t stride_bytes;
  int cache_policy;  // 0 = ld.global.ca, 1 = ld.global.cg
  bool warm;
};

ChainShape chain_shape(ChaseLevel level, int steps, uint64_t l2_chain_bytes) {
  switch (level) {
    // 32 lines of 128 B (4 KiB): fits every L1 configuration; one line per link so the warm pass
    // fills it completely.
    case ChaseLevel::L1: return {32, 128, 0, true};
    // 4096 lines (512 KiB): bigger than any configured L1 (V100 128 KiB, H100 256 KiB) and far
    // smaller than L2, so after the warm pass the first lines have left L1 (LRU) but not L2. On
    // silicon .cg alone would bypass L1; the size makes the result hold also for a cache model
    // that treats .cg like .ca.
    case ChaseLevel::L2: return {(l2_chain_bytes ? l2_chain_bytes : kDefaultL2ChainBytes) / 128, 128, 1, true};
    // Never revisited: each step is a cold line (256 B apart, so not even a neighbouring sector
    // of an already-fetched line), hence an L2 miss served by DRAM as for an array bigger than L2.
    case ChaseLevel::Dram: return {uint64_t(steps) + 1, 256, 1, false};
    case ChaseLevel::Shared: break;
  }
  throw std::logic_error("chain_shape: shared chains are built by the kernel");
}

}  // namespace

double dram_bytes(const runtime::LaunchStats& stats) {
  if (stats.report_json.empty()) return 0.0;
  const nlohmann::json report = nlohmann::json::parse(stats.report_json);
  return report.at("dram").at("read_bytes").get<double>() + report.at("dram").at("write_bytes").get<double>();
}

const char* chase_level_name(ChaseLevel level) {
  switch (level) {
    case ChaseLevel::L1: return "L1 hit";
    case ChaseLevel::L2: return "L2 hit";
    case ChaseLevel::Dram: return "DRAM";
    case ChaseLevel::Shared: return "shared";
  }
  return "?";
}

ChaseResult measure_chase(runtime::Device& dev, ChaseLevel level, int steps, uint64_t l2_chain_bytes) {
  require(steps > 0, "measure_chase: steps must be positive");
  require(l2_chain_bytes == 0 || (l2_chain_bytes >= 128 && l2_chain_bytes % 128 == 0),
          "measure_chase: the L2 chain must be whole 128-byte lines");
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_latency");
  DeviceBuffer out(dev, 2 * sizeof(uint64_t));
  ChaseResult result;
  result.steps = uint64_t(steps);
  uint64_t final_pointer = 0, expected_pointer = 0;
  if (level == ChaseLevel::Shared) {
    constexpr int kElements = 256, kStride = 1;
    result.stats = dev.launch(module, "ubench_chase_shared", {{1, 1, 1}, {1, 1, 1}, kElements * 4},
                              runtime::args(int32_t(kElements), int32_t(kStride), int32_t(steps), out.ptr()));
    const std::vector<uint64_t> o = out.download<uint64_t>();
    result.cycles_per_load = double(o[0]) / steps;
    // The kernel's chain links hold shared-window addresses: only the offset is checkable.
    final_pointer = o[1] % (kElements * 4);
    expected_pointer = uint64_t((steps * kStride) % kElements) * 4;
  } else {
    const ChainShape shape = chain_shape(level, steps, l2_chain_bytes);
    DeviceBuffer chain(dev, shape.elements * shape.stride_bytes);
    std::vector<uint64_t> links(shape.elements * shape.stride_bytes / 8, 0);
    const uint64_t words_per_link = shape.stride_bytes / 8;
    for (uint64_t i = 0; i < shape.elements; ++i)
      links[i * words_per_link] = chain.ptr() + ((i + 1) % shape.elements) * shape.stride_bytes;
    dev.copy_to_device(chain.ptr(), links.data(), links.size() * 8);
    const int warm_steps = shape.warm ? int(shape.elements) : 0;
    result.stats = dev.launch(module, "ubench_chase_global", {{1, 1, 1}, {1, 1, 1}},
                              runtime::args(chain.ptr(), int32_t(shape.cache_policy), int32_t(warm_steps),
                                            int32_t(steps), out.ptr()));
    const std::vector<uint64_t> o = out.download<uint64_t>();
    result.cycles_per_load = double(o[0]) / steps;
    final_pointer = o[1];
    expected_pointer = chain.ptr() + (uint64_t(steps) % shape.elements) * shape.stride_bytes;
  }
  require(final_pointer == expected_pointer, std::string(chase_level_name(level)) +
                                                 " chase ended at the wrong element (got " +
                                                 std::to_string(final_pointer) + ", want " +
                                                 std::to_string(expected_pointer) + ")");
  return result;
}

ThroughputResult measure_ffma(runtime::Device& dev, uint32_t blocks, uint32_t threads, int iterations) {
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_throughput");
  const uint64_t n = uint64_t(blocks) * threads;
  DeviceBuffer out(dev, n * sizeof(float));
  const float multiplier = 0.999f, addend = 0.5f;
  ThroughputResult r;
  r.stats = dev.launch(module, "ubench_ffma", {{blocks, 1, 1}, {threads, 1, 1}},
                       runtime::args(out.ptr(), multiplier, addend, int32_t(iterations)));
  r.work = double(n) * iterations * kFfmaChains * 2;
  // Host reference with the same IEEE fused multiply-adds, for a sample of threads.
  const std::vector<float> got = out.download<float>();
  for (uint64_t tid = 0; tid < n; tid += 1 + n / 64) {
    float acc[kFfmaChains];
    for (int c = 0; c < kFfmaChains; ++c) acc[c] = float(tid + c);
    for (int i = 0; i < iterations; ++i)
      for (float& a : acc) a = std::fma(a, multiplier, addend);
    float sum = 0.0f;
    for (float a : acc) sum += a;
    require(got[tid] == sum, "ubench_ffma thread " + std::to_string(tid) + " computed " + std::to_string(got[tid]) +
                                 ", host " + std::to_string(sum));
  }
  return r;
}

ThroughputResult measure_wmma(runtime::Device& dev, uint32_t blocks, uint32_t threads, int iterations) {
  require(threads % 32 == 0, "measure_wmma: threads must be whole warps");
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_throughput");
  // Small integers: every product and every sum below 2^24 is exact in FP16 inputs and FP32
  // accumulation, so the expected result is exact whatever the summation order.
  std::vector<uint16_t> a(256), b(256);
  std::vector<double> a_val(256), b_val(256);
  for (int i = 0; i < 256; ++i) {
    a_val[i] = double((i * 7) % 5) - 2.0;
    b_val[i] = double((i * 3) % 4) - 1.0;
    a[i] = float_to_half_bits(float(a_val[i]));
    b[i] = float_to_half_bits(float(b_val[i]));
  }
  const uint64_t warps = uint64_t(blocks) * threads / 32;
  DeviceBuffer da(dev, a), db(dev, b), out(dev, warps * kMmaChains * 256 * sizeof(float));
  ThroughputResult r;
  r.stats = dev.launch(module, "ubench_wmma", {{blocks, 1, 1}, {threads, 1, 1}},
                       runtime::args(da.ptr(), db.ptr(), out.ptr(), int32_t(iterations)));
  r.work = double(warps) * iterations * kMmaChains * 16.0 * 16 * 16 * 2;
  std::vector<double> product(256, 0.0);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j)
      for (int k = 0; k < 16; ++k) product[i * 16 + j] += a_val[i * 16 + k] * b_val[k * 16 + j];
  const std::vector<float> got = out.download<float>();
  for (uint64_t tile = 0; tile < warps * kMmaChains; tile += 1 + warps / 16)
    for (int e = 0; e < 256; ++e)
      require(double(got[tile * 256 + e]) == product[e] * iterations,
              "ubench_wmma tile " + std::to_string(tile) + " element " + std::to_string(e) + " is " +
                  std::to_string(got[tile * 256 + e]) + ", want " + std::to_string(product[e] * iterations));
  return r;
}

ThroughputResult measure_stream_copy(runtime::Device& dev, uint64_t bytes, uint32_t blocks, uint32_t threads) {
  require(bytes % 16 == 0 && bytes / 16 < (uint64_t(1) << 31), "measure_stream_copy: bytes must be a multiple of 16 below 32 GiB");
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_bandwidth");
  std::vector<uint32_t> src(bytes / 4);
  for (size_t i = 0; i < src.size(); ++i) src[i] = uint32_t(i * 2654435761u);
  DeviceBuffer dsrc(dev, src), ddst(dev, bytes);
  ThroughputResult r;
  r.stats = dev.launch(module, "ubench_stream_copy", {{blocks, 1, 1}, {threads, 1, 1}},
                       runtime::args(dsrc.ptr(), ddst.ptr(), int32_t(bytes / 16)));
  const double from_report = dram_bytes(r.stats);
  r.work = from_report > 0 ? from_report : 2.0 * double(bytes);
  require(ddst.download<uint32_t>() == src, "ubench_stream_copy: the copy differs from the source");
  return r;
}

const char* stream_mix_name(StreamMix mix) {
  switch (mix) {
    case StreamMix::ReadOnly: return "DRAM streaming read";
    case StreamMix::WriteOnly: return "DRAM streaming write";
    case StreamMix::TwoReadsOneWrite: return "DRAM streaming 2 reads : 1 write";
  }
  return "?";
}

ThroughputResult measure_stream(runtime::Device& dev, StreamMix mix, uint64_t bytes, uint32_t blocks,
                                uint32_t threads) {
  require(bytes % 16 == 0 && bytes / 16 < (uint64_t(1) << 31), "measure_stream: bytes must be a multiple of 16 below 32 GiB");
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_bandwidth");
  const uint64_t n = bytes / 16, words = bytes / 4;
  ThroughputResult r;
  // Inputs: small integers, so every float sum below is exact whatever the order.
  auto input = [&](uint32_t salt) {
    std::vector<float> v(words);
    for (uint64_t i = 0; i < words; ++i) v[i] = float((i * 2654435761u + salt) % 64);
    return v;
  };
  if (mix == StreamMix::ReadOnly) {
    const std::vector<float> a = input(1);
    const uint64_t total_threads = uint64_t(blocks) * threads;
    DeviceBuffer da(dev, a), out(dev, total_threads * sizeof(float));
    r.stats = dev.launch(module, "ubench_stream_read", {{blocks, 1, 1}, {threads, 1, 1}},
                         runtime::args(da.ptr(), out.ptr(), int32_t(n)));
    r.work = double(bytes) + double(total_threads) * 4;
    const std::vector<float> got = out.download<float>();
    for (uint64_t t = 0; t < total_threads; t += 1 + total_threads / 64) {
      double want = 0;
      for (uint64_t i = t; i < n; i += total_threads) want += double(a[4 * i]) + a[4 * i + 1] + a[4 * i + 2] + a[4 * i + 3];
      require(double(got[t]) == want, "ubench_stream_read thread " + std::to_string(t) + " summed " +
                                          std::to_string(got[t]) + ", host " + std::to_string(want));
    }
    return r;
  }
  if (mix == StreamMix::WriteOnly) {
    DeviceBuffer dst(dev, bytes);
    r.stats = dev.launch(module, "ubench_stream_write", {{blocks, 1, 1}, {threads, 1, 1}},
                         runtime::args(dst.ptr(), int32_t(n)));
    r.work = double(bytes);
    const std::vector<float> got = dst.download<float>();
    for (uint64_t i = 0; i < words; i += 1 + words / 4096)
      require(got[i] == float(i / 4), "ubench_stream_write word " + std::to_string(i) + " is " + std::to_string(got[i]));
    return r;
  }
  const std::vector<float> a = input(1), b = input(7);
  DeviceBuffer da(dev, a), db(dev, b), dc(dev, bytes);
  r.stats = dev.launch(module, "ubench_stream_add", {{blocks, 1, 1}, {threads, 1, 1}},
                       runtime::args(da.ptr(), db.ptr(), dc.ptr(), int32_t(n)));
  r.work = 3.0 * double(bytes);
  const std::vector<float> got = dc.download<float>();
  for (uint64_t i = 0; i < words; ++i)
    require(got[i] == a[i] + b[i], "ubench_stream_add word " + std::to_string(i) + " is " + std::to_string(got[i]) +
                                       ", want " + std::to_string(a[i] + b[i]));
  return r;
}

ThroughputResult measure_shared_read(runtime::Device& dev, uint32_t blocks, uint32_t threads, int lane_stride,
                                     int iterations) {
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_bandwidth");
  const uint64_t n = uint64_t(blocks) * threads;
  DeviceBuffer out(dev, n * sizeof(float));
  ThroughputResult r;
  r.stats = dev.launch(module, "ubench_shared_read", {{blocks, 1, 1}, {threads, 1, 1}},
                       runtime::args(out.ptr(), int32_t(lane_stride), int32_t(iterations)));
  r.work = double(n) * iterations * 8 * 4;
  // Host replay of the kernel's float additions in the kernel's order, for a sample of threads.
  const std::vector<float> got = out.download<float>();
  for (uint64_t t = 0; t < n; t += 1 + n / 64) {
    const int thread_in_block = int(t % threads);
    const int lane_offset = (thread_in_block & 31) * lane_stride + (thread_in_block >> 5) * 8;
    float s[4] = {0, 0, 0, 0};
    for (int i = 0; i < iterations; ++i) {
      const int start = (lane_offset + i * 8) & (kSharedWords - 1);
      for (int k = 0; k < 8; ++k) s[k % 4] += float(start + k);
    }
    const float want = s[0] + s[1] + s[2] + s[3];
    require(got[t] == want, "ubench_shared_read thread " + std::to_string(t) + " computed " +
                                std::to_string(got[t]) + ", host " + std::to_string(want));
  }
  return r;
}

}  // namespace gpusim::workloads::ubench

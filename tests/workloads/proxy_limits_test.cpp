// Scaled-machine proxies assume a grid's time scales with the chip: 1/8 of the CTAs on 1/8 of the
// chip take as long as the whole grid on the whole chip. Every CTA adding to one address breaks
// that (the atomics serialise in one L2 slice, which no proxy scales): an outside user's hotspot
// was predicted 8x low with an error bar that did not reach the truth. The proxies' own times show
// it (the fine proxy, twice the CTAs, takes twice as long); the error must then cover the full
// run's cycles (the reference: the same launch simulated in full) and the result is NOT TRUSTED.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/device.h"
#include "runtime/sim_device.h"

namespace gpusim {
namespace {

// Every thread adds 1 to out[0] (its result unused: RED on a GPU).
const char* const kHotspot = R"(.version 8.0
.target sm_70
.address_size 64
.visible .entry hotspot(.param .u64 p_out)
{
  .reg .u32 %r<2>;
  .reg .u64 %out;
  ld.param.u64 %out, [p_out];
  atom.global.add.u32 %r1, [%out], 1;
  ret;
}
)";

struct Result {
  uint64_t cycles = 0;
  nlohmann::json sampling;
  uint32_t count = 0;
};

// A timed v100.ini device with the hotspot kernel loaded and its zeroed counter.
struct Hotspot {
  std::unique_ptr<runtime::Device> dev;
  runtime::ModuleHandle mod = 0;
  runtime::DevPtr out = 0;

  explicit Hotspot(bool sample) {
    runtime::SimDeviceOptions o;
    o.config_path = std::string(GPUSIM_SOURCE_DIR) + "/configs/v100.ini";
    o.mode = runtime::SimMode::Timing;
    o.sample = sample;
    o.threads = 1;
    dev = runtime::make_sim_device(o);
    mod = dev->load_ptx("hotspot", kHotspot);
    out = dev->alloc(128);
    dev->memset(out, 0, 128);
  }
  runtime::LaunchStats launch(uint32_t ctas) {
    runtime::LaunchConfig cfg;
    cfg.grid = {ctas, 1, 1};
    cfg.block = {256, 1, 1};
    return dev->launch(mod, "hotspot", cfg, runtime::args(out));
  }
};

Result run(bool sample, uint32_t ctas) {
  Hotspot h(sample);
  const runtime::LaunchStats st = h.launch(ctas);
  Result r;
  r.cycles = st.cycles;
  const nlohmann::json report = nlohmann::json::parse(st.report_json);
  if (report.contains("sampling")) r.sampling = report["sampling"];
  r.count = h.dev->download<uint32_t>(h.out, 1)[0];
  return r;
}

TEST(ProxyLimits, AHotspotGridsErrorCoversTheFullRunAndIsNotTrusted) {
  const uint32_t ctas = 640;
  const Result full = run(false, ctas);
  const Result sampled = run(true, ctas);
  EXPECT_EQ(full.count, ctas * 256u);
  EXPECT_EQ(sampled.count, ctas * 256u);  // every CTA ran, functionally or in detail
  ASSERT_EQ(sampled.sampling["scheme"], "proxy") << sampled.sampling.dump();
  const nlohmann::json& p = sampled.sampling["proxy"];
  EXPECT_TRUE(p["serialised"].get<bool>()) << p.dump();
  EXPECT_FALSE(sampled.sampling["trusted"].get<bool>());
  const double error = sampled.sampling["estimated_error_cycles"].get<double>();
  EXPECT_LE(double(full.cycles), double(sampled.cycles) + error)
      << "full " << full.cycles << ", sampled " << sampled.cycles << " +/- " << error;
  EXPECT_GE(double(full.cycles), double(sampled.cycles) - error);
}

// A proxy has its own empty L2; after a launch the chip's L2 holds what that launch left (a
// proxied launch's functional rest warms it, as the full run would have left it), and the next
// launch, which may hit those lines or pay for their write-backs, is not proxied. An outside
// user's second transpose after a first was predicted 22.5 % low with +/-2.8 %.
TEST(ProxyLimits, ALaunchAfterAnotherIsNotProxied) {
  Hotspot h(true);
  const nlohmann::json first = nlohmann::json::parse(h.launch(640).report_json);
  EXPECT_EQ(first["sampling"]["scheme"], "proxy") << first["sampling"].dump();
  const nlohmann::json second = nlohmann::json::parse(h.launch(640).report_json);
  EXPECT_NE(second["sampling"]["scheme"], "proxy") << second["sampling"].dump();
  const std::string text = second["sampling"].dump();
  EXPECT_NE(text.find("from earlier launches, which a proxy's own L2 would not"), std::string::npos) << text;
  EXPECT_EQ(h.dev->download<uint32_t>(h.out, 1)[0], 2u * 640u * 256u);
}

}  // namespace
}  // namespace gpusim

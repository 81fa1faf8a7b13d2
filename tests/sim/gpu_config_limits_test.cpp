// GpuConfig on hostile values (gpusim issue 10): every numeric key has a documented range, the
// checks themselves never overflow, and files that cannot be a configuration are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/gpu_config.h"
#include "sim/gpu_config_options.h"

namespace gpusim::sim {
namespace {

std::string load_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_gpu_config(path, overrides);
  } catch (const GpuConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(GpuConfigLimits, EveryNumericKeyHasARangeThatHoldsTheShippedConfigs) {
  const GpuConfig defaults;
  for (const GpuConfigField& f : gpu_config_fields()) {
    if (!std::holds_alternative<int GpuConfig::*>(f.member)) continue;
    EXPECT_LT(f.min_value, f.max_value) << f.key;
    EXPECT_GE(f.min_value, 0) << f.key;
    const int v = defaults.*std::get<int GpuConfig::*>(f.member);
    EXPECT_TRUE(v >= f.min_value && v <= f.max_value) << f.key << " default " << v;
  }
  for (const char* name : {"v100.ini", "h100.ini", "teaching.ini"})
    EXPECT_NO_THROW(load_gpu_config(std::string(GPUSIM_SOURCE_DIR) + "/configs/" + name)) << name;
}

TEST(GpuConfigLimits, HugeCarveoutIsRefusedWithoutOverflow) {
  // 3000000 KiB x 1024 overflowed int in the checks (UBSan: signed integer overflow).
  const std::string e = load_error("", {"shared.carveouts_kib=0,3000000"});
  EXPECT_TRUE(mentions(e, "'3000000' KiB is implausibly large (at most 262144)")) << e;
}

TEST(GpuConfigLimits, SmCountAboveTheRangeIsRefused) {
  // 100000 SMs were accepted (5.5 GB for a 4096-element vecadd).
  const std::string e = load_error("", {"sm.count=100000"});
  EXPECT_TRUE(mentions(e, "sm.count (100000, --set) is implausibly large (range 1 to 1024)")) << e;
  EXPECT_EQ(load_error("", {"sm.count=1024"}), "(no error)");
}

// Values each key's range allows but the model cannot run (found by an adversarial tester): a
// refresh interval shorter than a refresh hung every launch, a 32-byte L1 line failed inside the
// memory partitions after the run started, a name with a 0xFF byte failed the JSON writer at the end.
TEST(GpuConfigLimits, CombinationsTheModelCannotRunAreRefusedByName) {
  std::string e = load_error("", {"dram.trefi_ps=100000"});
  EXPECT_TRUE(mentions(e, "dram.trefi_ps (100000, --set) must exceed dram.trfcpb_ps (160000, default)")) << e;
  e = load_error("", {"dram.refresh_per_bank=0", "dram.trefi_ps=300000"});
  EXPECT_TRUE(mentions(e, "dram.trefi_ps (300000, --set) must exceed dram.trfc_ps (350000, default)")) << e;
  EXPECT_EQ(load_error("", {"dram.refresh_per_bank=0", "dram.trefi_ps=400000"}), "(no error)");
  // tREFI 0 is "no refresh", as its help says (it was refused as shorter than a refresh).
  EXPECT_EQ(load_error("", {"dram.trefi_ps=0"}), "(no error)");
  EXPECT_EQ(load_error("", {"dram.refresh_per_bank=0", "dram.trefi_ps=0"}), "(no error)");
  e = load_error("", {"l1.line_bytes=32", "l1.sector_bytes=32"});
  EXPECT_TRUE(mentions(e, "l1.line_bytes (32, --set) must equal l2.line_bytes (128, default)")) << e;
  e = load_error("", {"chip.name=bad\xff"});
  EXPECT_TRUE(mentions(e, "chip.name must be UTF-8 text without control characters")) << e;
  EXPECT_EQ(load_error("", {"chip.name=H100 \xc3\xa9" "dition"}), "(no error)");  // UTF-8 is fine
  // More DRAM channels than L2 slices: `gpusim info` printed it, every launch then failed in the
  // address hash (a student's --set dram.channels=8 on teaching.ini's 4 slices).
  const std::string teaching = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  e = load_error(teaching, {"dram.channels=8"});
  EXPECT_TRUE(mentions(e, "l2.slices (4, ")) << e;
  EXPECT_TRUE(mentions(e, "must be a multiple of dram.channels (8, --set)")) << e;
  EXPECT_EQ(load_error(teaching, {"dram.channels=4"}), "(no error)");
}

// A shipped name ends in the chip's shape; --set sm.count or clocks.core_mhz keeps it true (the
// headline read "teaching (2 SM, 1000 MHz): ... at 2000 MHz, 16 SMs used"). A name set by hand, or
// one without the shape, is left as written.
TEST(GpuConfigLimits, NameFollowsTheShapeItStates) {
  const std::string teaching = std::string(GPUSIM_SOURCE_DIR) + "/configs/teaching.ini";
  EXPECT_EQ(load_gpu_config(teaching).name, "teaching (2 SM, 1000 MHz)");
  EXPECT_EQ(load_gpu_config(teaching, {"sm.count=16", "clocks.core_mhz=2000"}).name, "teaching (16 SM, 2000 MHz)");
  EXPECT_EQ(load_gpu_config(teaching, {"sm.count=16", "chip.name=mine (2 SM, 1000 MHz)"}).name, "mine (2 SM, 1000 MHz)");
  EXPECT_EQ(load_gpu_config(teaching, {"chip.name=lab chip", "sm.count=4"}).name, "lab chip");
}

// A contradiction names where each value came from: the file's line, --set, or the default a
// partial file completed from (an outside tester edited the file without knowing which line).
TEST(GpuConfigLimits, AContradictionSaysWhereEachValueCameFrom) {
  const std::string path = testing::TempDir() + "/partial_contradiction.ini";
  std::ofstream(path) << "# a partial chip\n[sm]\ncount = 4\n\n[l1]\nline_bytes = 64\n";
  std::string e = load_error(path);
  EXPECT_TRUE(mentions(e, "l1.line_bytes (64, line 6) must equal l2.line_bytes (128, default)")) << e;
  e = load_error(path, {"l2.line_bytes=32"});
  EXPECT_TRUE(mentions(e, "l1.line_bytes (64, line 6) must equal l2.line_bytes (32, --set)")) << e;
  std::filesystem::remove(path);
}

// /dev/zero as a config (or any device) was read until memory ran out.
TEST(GpuConfigLimits, DeviceIsNotAConfig) {
  const std::string e = load_error("/dev/zero");
  EXPECT_TRUE(mentions(e, "GPU config /dev/zero: is a device, not an INI file")) << e;
}

TEST(GpuConfigLimits, RangeIsInTheHelp) {
  EXPECT_TRUE(mentions(gpu_config_help(), "[count, 1 to 1024]")) << gpu_config_help();
}

TEST(GpuConfigLimits, HashInASetValueIsRefused) {
  // "a#b" went through the INI reader, where '#' starts a comment: the name became "a".
  const std::string e = load_error("", {"chip.name=a#b"});
  EXPECT_TRUE(mentions(e, "--set 'chip.name=a#b': values cannot contain '#'")) << e;
}

TEST(GpuConfigLimits, DirectoryIsNotAConfig) {
  const std::string dir = testing::TempDir() + "gpusim_config_dir";
  std::filesystem::create_directories(dir);
  const std::string e = load_error(dir);
  EXPECT_TRUE(mentions(e, "GPU config " + dir + ": is a directory")) << e;
}

TEST(GpuConfigLimits, EmptyFileIsNotAConfig) {
  const std::string path = testing::TempDir() + "gpusim_empty.ini";
  std::ofstream(path) << "# nothing but a comment\n\n";
  const std::string e = load_error(path);
  EXPECT_TRUE(mentions(e, "GPU config " + path + ": the file sets no parameters")) << e;
}

TEST(GpuConfigLimits, PlaceholderSpelledInAValueIsQuotedAsTyped) {
  // The input CI's fuzzer found: Boost's message formatting replaced "%value%" with the value
  // until none was left, and this value spells it, so loading the file never returned.
  const std::string path = testing::TempDir() + "gpusim_placeholder.ini";
  std::ofstream(path) << "[sm]\ncount=%value%') for op\n";
  std::string e = load_error(path);
  EXPECT_TRUE(mentions(e, "GPU config " + path + ":2")) << e;
  EXPECT_TRUE(mentions(e, "('%value%') for op')")) << e;
  e = load_error("", {"sm.count=%canonical_option%%value%"});
  EXPECT_TRUE(mentions(e, "('%canonical_option%%value%')")) << e;
}

// A byte-order mark is skipped (the first section header was "an invalid line" with the mark
// invisible in the message); a NUL byte is named at its line (it cut the message short).
TEST(GpuConfigLimits, ByteOrderMarkIsSkippedAndNulIsNamedAtItsLine) {
  const std::string bom = testing::TempDir() + "gpusim_bom.ini";
  std::ofstream(bom) << "\xef\xbb\xbf[sm]\ncount = 4\n";
  EXPECT_EQ(load_gpu_config(bom, {}).num_sms, 4);
  const std::string nul = testing::TempDir() + "gpusim_nul.ini";
  {
    std::ofstream f(nul, std::ios::binary);
    f << "[sm]\ncount = 4";
    f.put('\0');
    f << "2\n";
  }
  const std::string e = load_error(nul);
  EXPECT_TRUE(mentions(e, "GPU config " + nul + ":2: a NUL byte")) << e;
}

}  // namespace
}  // namespace gpusim::sim

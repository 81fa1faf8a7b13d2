// The fat-binary reader against containers built here byte by byte from the documented layout
// (shared/reference/cuda-runtime-abi.md), compressed with the zstd/LZ4 libraries' own encoders;
// and every kind of damage a container can carry.
#include <gtest/gtest.h>
#include <lz4.h>
#include <zstd.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/fatbin.h"
#include "runtime/rdc_program.h"

namespace {

using gpusim::runtime::Fatbin;
using gpusim::runtime::FatbinEntry;
using gpusim::runtime::FatbinError;
using gpusim::runtime::read_fatbin_container;
using gpusim::runtime::read_fatbin_wrapper;

template <typename T>
void put(std::vector<uint8_t>& b, size_t at, T v) {
  if (b.size() < at + sizeof v) b.resize(at + sizeof v);
  std::memcpy(b.data() + at, &v, sizeof v);
}

enum class Packing { Plain, Zstd, Lz4 };

// One entry: 0x50-byte header (as nvcc writes for PTX), payload padded to 8 bytes.
std::vector<uint8_t> entry(uint16_t kind, uint32_t arch, const std::string& text, Packing packing) {
  std::string raw = text + '\0';
  std::vector<uint8_t> payload;
  uint64_t flags = 0x11;
  if (packing == Packing::Zstd) {
    payload.resize(ZSTD_compressBound(raw.size()));
    payload.resize(ZSTD_compress(payload.data(), payload.size(), raw.data(), raw.size(), 3));
    flags |= 0x8000;
  } else if (packing == Packing::Lz4) {
    payload.resize(LZ4_compressBound(int(raw.size())));
    payload.resize(size_t(LZ4_compress_default(raw.data(), reinterpret_cast<char*>(payload.data()), int(raw.size()), int(payload.size()))));
    flags |= 0x2000;
  } else {
    payload.assign(raw.begin(), raw.end());
  }
  const uint32_t compressed = packing == Packing::Plain ? 0 : uint32_t(payload.size());
  payload.resize((payload.size() + 7) / 8 * 8, 0);
  std::vector<uint8_t> e(0x50, 0);
  put<uint16_t>(e, 0, kind);
  put<uint16_t>(e, 2, 0x101);
  put<uint32_t>(e, 4, 0x50);
  put<uint64_t>(e, 8, payload.size());
  put<uint32_t>(e, 0x10, compressed);
  put<uint16_t>(e, 0x18, 0);  // minor
  put<uint16_t>(e, 0x1a, 9);  // major (PTX ISA 9.0)
  put<uint32_t>(e, 0x1c, arch);
  put<uint64_t>(e, 0x28, flags);
  put<uint64_t>(e, 0x38, packing == Packing::Plain ? 0 : raw.size());
  e.insert(e.end(), payload.begin(), payload.end());
  return e;
}

std::vector<uint8_t> container(const std::vector<std::vector<uint8_t>>& entries) {
  std::vector<uint8_t> body;
  for (const auto& e : entries) body.insert(body.end(), e.begin(), e.end());
  std::vector<uint8_t> c(16, 0);
  put<uint32_t>(c, 0, 0xBA55ED50);
  put<uint16_t>(c, 4, 1);
  put<uint16_t>(c, 6, 16);
  put<uint64_t>(c, 8, body.size());
  c.insert(c.end(), body.begin(), body.end());
  return c;
}

const std::string kPtx = ".version 9.0\n.target sm_80\n.address_size 64\n.visible .entry k() { ret; }\n";

TEST(Fatbin, ReadsPlainZstdAndLz4PtxEntries) {
  for (Packing p : {Packing::Plain, Packing::Zstd, Packing::Lz4}) {
    const auto c = container({entry(1, 80, kPtx, p)});
    const Fatbin fb = read_fatbin_container(c.data(), c.size());
    ASSERT_EQ(fb.entries.size(), 1u);
    EXPECT_EQ(fb.entries[0].kind, FatbinEntry::Kind::Ptx);
    EXPECT_EQ(fb.entries[0].arch, 80u);
    EXPECT_EQ(fb.entries[0].major, 9u);
    EXPECT_EQ(fb.entries[0].payload, kPtx);  // terminating NUL and padding removed
    EXPECT_EQ(fb.entries[0].compression, p == Packing::Zstd ? "zstd" : p == Packing::Lz4 ? "lz4" : "");
  }
}

// nvcc 13 -maxrregcount=32 -Xptxas -dlcm=cg (measured): the entry header grows to 0x68 and holds
// the options at +0x48, 27 bytes, with +0x40 their offset and +0x44 their size.
TEST(Fatbin, ReadsThePtxasOptionsRecordedWithAnEntry) {
  const std::string options = "-dlcm=cg  -maxrregcount=32 ";
  std::vector<uint8_t> e = entry(1, 80, kPtx, Packing::Plain);
  std::vector<uint8_t> with(e.begin(), e.begin() + 0x48);
  with.insert(with.end(), options.begin(), options.end());
  with.resize(0x68, 0);
  with.insert(with.end(), e.begin() + 0x50, e.end());
  put<uint32_t>(with, 4, 0x68);
  put<uint32_t>(with, 0x40, 0x48);
  put<uint32_t>(with, 0x44, uint32_t(options.size()));
  auto c = container({with});
  Fatbin fb = read_fatbin_container(c.data(), c.size());
  ASSERT_EQ(fb.entries.size(), 1u);
  EXPECT_EQ(fb.entries[0].ptxas_options, options);
  EXPECT_EQ(fb.entries[0].payload, kPtx);
  EXPECT_EQ(gpusim::runtime::max_registers_option(fb.entries[0].ptxas_options), 32u);
  // Options said to lie past the entry header are not read (the header bounds them).
  put<uint32_t>(c, 16 + 0x44, 0x30);
  fb = read_fatbin_container(c.data(), c.size());
  EXPECT_EQ(fb.entries[0].ptxas_options, "");
  EXPECT_EQ(fb.entries[0].payload, kPtx);
}

TEST(Fatbin, RegisterLimitFromPtxasOrNvccOptions) {
  using gpusim::runtime::max_registers_option;
  EXPECT_EQ(max_registers_option(""), 0u);
  EXPECT_EQ(max_registers_option("-O3 -dlcm=cg"), 0u);
  EXPECT_EQ(max_registers_option("-maxrregcount=40"), 40u);
  EXPECT_EQ(max_registers_option("--maxrregcount=24 "), 24u);
  EXPECT_EQ(max_registers_option("-maxrregcount 64"), 64u);
  EXPECT_EQ(max_registers_option("--maxrregcount 64 --maxrregcount=48"), 48u);  // the last counts
  EXPECT_EQ(max_registers_option("-maxrregcount=lots"), 0u);
  EXPECT_EQ(max_registers_option("-maxrregcount="), 0u);
  EXPECT_EQ(max_registers_option("-maxrregcount=99999999999"), 0u);
  EXPECT_EQ(max_registers_option("-maxrregcountx=32"), 0u);
}

TEST(Fatbin, PicksTheNewestPtxNotNewerThanTheDevice) {
  const auto c = container({entry(2, 75, "ELF", Packing::Plain), entry(1, 75, "p75", Packing::Plain),
                            entry(1, 90, "p90", Packing::Zstd), entry(1, 80, "p80", Packing::Lz4)});
  const Fatbin fb = read_fatbin_container(c.data(), c.size());
  ASSERT_EQ(fb.entries.size(), 4u);
  EXPECT_EQ(fb.ptx_for(80)->payload, "p80");
  EXPECT_EQ(fb.ptx_for(86)->payload, "p80");
  EXPECT_EQ(fb.ptx_for(90)->payload, "p90");
  EXPECT_EQ(fb.ptx_for(70)->payload, "p75");  // none old enough: the oldest
  EXPECT_EQ(fb.describe(), "sm_75 SASS, compute_75 PTX, compute_90 PTX, compute_80 PTX");
}

// An -arch=all-major build: sm_75 and sm_90 machine code, compute_120 PTX only. A GPU runs the
// machine code of its own major version (minor not above its own); gpusim runs the PTX and says
// that __CUDA_ARCH__ differs; PTX newer than the device with no such machine code is the other note.
TEST(Fatbin, MachineCodeAGpuWouldRunInsteadOfThePtxIsNoted) {
  const auto c = container({entry(2, 75, "ELF", Packing::Plain), entry(2, 90, "ELF", Packing::Plain),
                            entry(2, 80, "ELF", Packing::Plain), entry(1, 120, "p120", Packing::Plain)});
  const Fatbin fb = read_fatbin_container(c.data(), c.size());
  EXPECT_EQ(fb.sass_for(75), 75u);
  EXPECT_EQ(fb.sass_for(90), 90u);
  EXPECT_EQ(fb.sass_for(86), 80u);
  EXPECT_EQ(fb.sass_for(70), 0u);   // sm_75 code does not run on a 7.0 GPU
  EXPECT_EQ(fb.sass_for(100), 0u);
  const gpusim::runtime::ProgramPtx on_h100 = gpusim::runtime::program_ptx(fb, 90);
  EXPECT_EQ(on_h100.arch, 120u);
  EXPECT_EQ(on_h100.sass_arch, 90u);
  const std::string note = gpusim::runtime::ptx_choice_note(on_h100, 90, "a.ptx", "H100-like");
  EXPECT_NE(note.find("sm_90 machine code"), std::string::npos) << note;
  EXPECT_NE(note.find("sees 1200 here and 900 there"), std::string::npos) << note;
  EXPECT_EQ(note.find("would refuse"), std::string::npos) << note;
  const std::string on_a100 = gpusim::runtime::ptx_choice_note(gpusim::runtime::program_ptx(fb, 80), 80, "a.ptx", "A");
  EXPECT_NE(on_a100.find("sm_80 machine code"), std::string::npos) << on_a100;
  const std::string on_b200 = gpusim::runtime::ptx_choice_note(gpusim::runtime::program_ptx(fb, 100), 100, "a.ptx", "B");
  EXPECT_NE(on_b200.find("newer than the simulated GPU"), std::string::npos) << on_b200;
  // PTX of the device's own architecture beside its machine code: nothing to say.
  const auto same = container({entry(2, 90, "ELF", Packing::Plain), entry(1, 90, "p90", Packing::Plain)});
  const Fatbin fb90 = read_fatbin_container(same.data(), same.size());
  EXPECT_EQ(gpusim::runtime::ptx_choice_note(gpusim::runtime::program_ptx(fb90, 90), 90, "b.ptx", "H"), "");
}

TEST(Fatbin, SassOnlyHasNoPtx) {
  const auto c = container({entry(2, 80, "ELF", Packing::Plain)});
  EXPECT_EQ(read_fatbin_container(c.data(), c.size()).ptx_for(80), nullptr);
}

TEST(Fatbin, FollowsAWrapperToItsContainer) {
  const auto c = container({entry(1, 80, kPtx, Packing::Zstd)});
  struct {
    uint32_t magic = 0x466243B1, version = 1;
    const void* data;
    const void* unused = nullptr;
  } wrapper{0x466243B1, 1, c.data(), nullptr};
  const Fatbin fb = read_fatbin_wrapper(&wrapper);
  EXPECT_EQ(fb.wrapper_version, 1u);
  EXPECT_EQ(fb.entries.at(0).payload, kPtx);
  wrapper.magic = 0;
  EXPECT_THROW(read_fatbin_wrapper(&wrapper), FatbinError);
}

void expect_error(const std::vector<uint8_t>& c, const std::string& fragment) {
  try {
    read_fatbin_container(c.data(), c.size());
    ADD_FAILURE() << "accepted a damaged container; expected: " << fragment;
  } catch (const FatbinError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Fatbin, DamagedContainersAreErrorsNamingTheOffset) {
  const auto good = container({entry(1, 80, kPtx, Packing::Zstd)});
  expect_error({}, "shorter than a container header");
  auto bad_magic = good;
  bad_magic[0] ^= 1;
  expect_error(bad_magic, "bad magic");
  auto too_long = good;
  put<uint64_t>(too_long, 8, good.size());  // body claims more than there is
  expect_error(too_long, "container header claims");
  auto truncated = good;
  truncated.resize(40);
  put<uint64_t>(truncated, 8, 24);
  expect_error(truncated, "at byte 16: truncated entry header");
  auto payload_past_end = good;
  put<uint64_t>(payload_past_end, 16 + 8, uint64_t(1) << 40);
  expect_error(payload_past_end, "run past the container");
  auto corrupt_zstd = good;
  corrupt_zstd[16 + 0x50 + 4] ^= 0xFF;
  expect_error(corrupt_zstd, "zstd");
  auto huge_claim = good;
  put<uint64_t>(huge_claim, 16 + 0x38, uint64_t(1) << 50);
  expect_error(huge_claim, "uncompressed");
  auto bad_compressed_size = good;
  put<uint32_t>(bad_compressed_size, 16 + 0x10, 1u << 30);
  expect_error(bad_compressed_size, "compressed size exceeds");
}

TEST(Fatbin, CorruptLz4IsAnError) {
  auto c = container({entry(1, 80, std::string(500, 'a') + kPtx, Packing::Lz4)});
  put<uint64_t>(c, 16 + 0x38, 5);  // claims fewer bytes than the block decodes to
  expect_error(c, "LZ4");
}

}  // namespace

// The executor's path for calls to functions without a body: device-side runtime functions go to
// the launch's DeviceServices once per active lane, in lane order, with divergence and guards;
// a launch without services, or any other extern function, is a clear error.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "isa/device_services.h"
#include "isa/functional_executor.h"
#include "isa/ptx_parser.h"
#include "runtime/device_memory.h"

using namespace gpusim::isa;

namespace {

const char* kAllocPtx = R"(.version 9.0
.target sm_90
.address_size 64
.extern .func (.param .b64 func_retval0) malloc (.param .b64 malloc_param_0);
.extern .func free (.param .b64 free_param_0);
.extern .func (.param .b32 func_retval0) mystery (.param .b64 mystery_param_0);

// Odd threads malloc(tid + 100) under a guard; every thread stores what it got (0 if none).
.visible .entry alloc_odd(.param .u64 out)
{
  .reg .u32 %r<4>;
  .reg .u64 %rd<6>;
  .reg .pred %p<2>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  and.b32 %r2, %r1, 1;
  setp.eq.u32 %p1, %r2, 1;
  cvt.u64.u32 %rd2, %r1;
  add.u64 %rd2, %rd2, 100;
  mov.u64 %rd3, 0;
  {
  .param .b64 param0;
  st.param.b64 [param0+0], %rd2;
  .param .b64 retval0;
  @%p1 call.uni (retval0), malloc, (param0);
  @%p1 ld.param.b64 %rd3, [retval0+0];
  }
  mul.wide.u32 %rd4, %r1, 8;
  add.u64 %rd5, %rd1, %rd4;
  st.global.u64 [%rd5], %rd3;
  ret;
}

// Threads of a divergent branch free (tid * 16); the others do not call.
.visible .entry free_some(.param .u32 from)
{
  .reg .u32 %r<3>;
  .reg .u64 %rd<2>;
  .reg .pred %p<2>;
  ld.param.u32 %r2, [from];
  mov.u32 %r1, %tid.x;
  setp.lt.u32 %p1, %r1, %r2;
  @%p1 bra SKIP;
  mul.wide.u32 %rd1, %r1, 16;
  {
  .param .b64 param0;
  st.param.b64 [param0+0], %rd1;
  call.uni free, (param0);
  }
SKIP:
  ret;
}

.visible .entry call_mystery()
{
  .reg .u32 %r<2>;
  {
  .param .b64 param0;
  st.param.b64 [param0+0], 0;
  .param .b32 retval0;
  call.uni (retval0), mystery, (param0);
  ld.param.b32 %r1, [retval0+0];
  }
  ret;
}
)";

struct Call {
  std::string what;
  Dim3 tid;
  uint64_t value;
};

// Records every call; malloc hands out 0x1000 + 16 * tid.x; free of an address below 16 * 40
// is accepted, anything else refused.
class RecordingServices final : public DeviceServices {
 public:
  void print(const DeviceThread& t, const std::string& text) override { calls.push_back({"print:" + text, t.tid, 0}); }
  uint64_t malloc(const DeviceThread& t, uint64_t size) override {
    calls.push_back({"malloc", t.tid, size});
    return 0x1000 + 16 * t.tid.x;
  }
  void free(const DeviceThread& t, uint64_t addr) override {
    calls.push_back({"free", t.tid, addr});
    if (addr >= 16 * 40) throw DeviceServiceError("free of a block it never handed out", FaultKind::IllegalAddress);
  }
  void assert_failed(const DeviceThread& t, const AssertFailure& f) override {
    calls.push_back({"assert:" + cuda_assert_message(t, f), t.tid, f.line});
  }
  std::vector<Call> calls;
};

class DeviceCallTest : public ::testing::Test {
 protected:
  // Runs `kernel` with one CTA of `threads` threads and the given parameter buffer.
  void run(const std::string& kernel, unsigned threads, std::vector<uint8_t> params, DeviceServices* services) {
    module = parse_ptx(kAllocPtx, "device_calls.ptx");
    LaunchState ls;
    ls.module = &module;
    ls.kernel = module.find_function(kernel);
    ASSERT_NE(ls.kernel, nullptr);
    ls.grid = Dim3{1, 1, 1};
    ls.block = Dim3{threads, 1, 1};
    ls.params = std::move(params);
    ls.global = &memory;
    ls.services = services;
    run_grid_functional(ls);
  }
  template <typename T>
  static std::vector<uint8_t> bytes(T v) {
    std::vector<uint8_t> b(sizeof(T));
    std::memcpy(b.data(), &v, sizeof(T));
    return b;
  }
  Module module;
  gpusim::runtime::DeviceMemory memory;
};

TEST_F(DeviceCallTest, GuardedMallocRunsOncePerActiveLaneInLaneOrder) {
  RecordingServices services;
  const uint64_t out = memory.allocate(64 * 8);
  run("alloc_odd", 64, bytes(out), &services);
  // Only odd threads called, each once, with size tid + 100, in thread order (warp 0's lanes, then warp 1's).
  ASSERT_EQ(services.calls.size(), 32u);
  for (unsigned k = 0; k < 32; ++k) {
    const unsigned tid = 2 * k + 1;
    EXPECT_EQ(services.calls[k].what, "malloc");
    EXPECT_EQ(services.calls[k].tid.x, tid);
    EXPECT_EQ(services.calls[k].value, tid + 100);
  }
  std::vector<uint64_t> got(64);
  memory.copy_out(got.data(), out, 64 * 8);
  for (unsigned t = 0; t < 64; ++t) EXPECT_EQ(got[t], t % 2 ? 0x1000 + 16 * t : 0) << "thread " << t;
}

TEST_F(DeviceCallTest, CallInsideDivergentBranchAndServiceRefusalNamesTheThread) {
  RecordingServices services;
  run("free_some", 40, bytes(uint32_t(20)), &services);  // threads 20..39 free 16*tid: accepted
  ASSERT_EQ(services.calls.size(), 20u);
  for (unsigned k = 0; k < 20; ++k) EXPECT_EQ(services.calls[k].value, 16 * (20 + k));

  RecordingServices refusing;
  try {
    run("free_some", 64, bytes(uint32_t(30)), &refusing);  // thread 40 frees 640: refused
    FAIL() << "expected a fault";
  } catch (const ExecError& e) {
    EXPECT_EQ(e.kind(), FaultKind::IllegalAddress);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("thread (40,0,0)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("free: free of a block it never handed out"), std::string::npos) << msg;
    EXPECT_NE(msg.find("device_calls.ptx:"), std::string::npos) << msg;
  }
}

TEST_F(DeviceCallTest, WithoutServicesTheCallIsAClearError) {
  const uint64_t out = memory.allocate(64 * 8);
  try {
    run("alloc_odd", 32, bytes(out), nullptr);
    FAIL() << "expected a fault";
  } catch (const ExecError& e) {
    EXPECT_EQ(e.kind(), FaultKind::Unsupported);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("malloc needs a runtime with device-side malloc"), std::string::npos) << msg;
    EXPECT_NE(msg.find("kernel 'alloc_odd'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("PC "), std::string::npos) << msg;
    EXPECT_NE(msg.find("device_calls.ptx:25"), std::string::npos) << msg;  // the call's line
  }
}

TEST_F(DeviceCallTest, OtherExternFunctionsAreRefusedByName) {
  RecordingServices services;
  try {
    run("call_mystery", 32, {}, &services);
    FAIL() << "expected a fault";
  } catch (const ExecError& e) {
    EXPECT_EQ(e.kind(), FaultKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("call to 'mystery'"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(services.calls.empty());
}

}  // namespace

// Memory faults, traps, bad launches and bad arguments: each is reported with its location and
// the device (and its other allocations) keeps working afterwards.
#include <gtest/gtest.h>

#include "runtime/sim_device.h"
#include "tests/runtime/fixture_util.h"

using namespace gpusim::runtime;

namespace {

LaunchConfig grid(unsigned blocks, unsigned threads, unsigned dyn = 0) {
  LaunchConfig c;
  c.grid = Dim3{blocks, 1, 1};
  c.block = Dim3{threads, 1, 1};
  c.dynamic_shared_bytes = dyn;
  return c;
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimDeviceOptions o;
    o.max_warp_instructions = 200000;
    dev = make_sim_device(o);
    mod = dev->load_ptx("runtime_faults.ptx", read_fixture("runtime_faults.ptx"));
  }
  std::string fault_of(const std::string& kernel, const LaunchConfig& c, const KernelArgs& a) {
    try {
      dev->launch(mod, kernel, c, a);
    } catch (const KernelFault& e) {
      return e.what();
    }
    ADD_FAILURE() << kernel << " did not fault";
    return "";
  }
  std::unique_ptr<Device> dev;
  ModuleHandle mod = -1;
};

TEST_F(FaultTest, OutOfBoundsStoreNamesKernelCtaThreadLineAndAddress) {
  std::vector<int> keep(16, 42);
  DevPtr other = dev->upload(keep);
  const int n = 32;
  DevPtr out = dev->alloc(n * 4);
  const std::string msg = fault_of("write_past_end", grid(1, 64), args(out, n));
  EXPECT_NE(msg.find("write_past_end"), std::string::npos) << msg;
  EXPECT_NE(msg.find("CTA (0,0,0)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("thread (32,0,0)"), std::string::npos) << msg;  // first thread past the end
  EXPECT_NE(msg.find("runtime_faults.ptx:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("st.global"), std::string::npos) << msg;
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(out + n * 4));
  EXPECT_NE(msg.find(addr), std::string::npos) << msg;
  // ... and where that lies: thread 32 writes the word right after the 128-byte buffer.
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(out));
  EXPECT_NE(msg.find(std::string("just past the end of the 128-byte allocation at ") + addr), std::string::npos) << msg;
  // The device still works and the other allocation is intact.
  EXPECT_EQ(dev->download<int>(other, 16), keep);
  dev->launch(mod, "write_past_end", grid(1, 32), args(dev->alloc(64 * 4), 32));
}

// A load that starts inside an allocation and runs past its end is described from the allocation
// it starts in; its first address alone named the next allocation ("280 bytes before the 4-byte
// allocation at ...": an outside crypto user's message).
TEST_F(FaultTest, AccessRunningPastTheEndIsDescribedFromItsAllocation) {
  const ModuleHandle m = dev->load_ptx("straddle.ptx", R"(.version 8.0
.target sm_75
.address_size 64
.visible .entry load_at(.param .u64 p, .param .u64 out)
{
  .reg .b32 %r<2>;
  .reg .b64 %rd<3>;
  ld.param.u64 %rd1, [p];
  ld.param.u64 %rd2, [out];
  ld.global.u32 %r1, [%rd1];
  st.global.u32 [%rd2], %r1;
  ret;
}
)");
  const DevPtr buffer = dev->alloc(1002), out = dev->alloc(4);
  dev->alloc(4);  // a neighbour the old message named
  std::string msg;
  try {
    dev->launch(m, "load_at", grid(1, 1), args(buffer + 1000, out));
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  char base[32];
  std::snprintf(base, sizeof base, "0x%llx", static_cast<unsigned long long>(buffer));
  EXPECT_NE(msg.find(std::string("its first 2 bytes are the end of the 1002-byte allocation at ") + base + ", its last 2 past it"),
            std::string::npos)
      << msg;
}

// A store into freed memory is named a use after free, and a host pointer passed to a kernel is
// named as one: both were "N bytes past the end of" an unrelated allocation (found by outside
// users; device addresses are never handed out twice, so a freed range stays recognisable).
TEST_F(FaultTest, UseAfterFreeAndHostPointersAreNamed) {
  DevPtr keep = dev->alloc(64);
  DevPtr freed = dev->alloc(256);
  dev->free(freed);
  std::string msg = fault_of("write_past_end", grid(1, 32), args(freed, 32));
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(freed));
  EXPECT_NE(msg.find(std::string("inside the 256-byte allocation at ") + addr + ", which was freed (a use after free)"),
            std::string::npos) << msg;
  int on_the_stack[32] = {};
  msg = fault_of("write_past_end", grid(1, 32), args(DevPtr(reinterpret_cast<uintptr_t>(on_the_stack)), 32));
  EXPECT_NE(msg.find("not a device address"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("past the end"), std::string::npos) << msg;
  EXPECT_EQ(on_the_stack[0], 0);
  dev->free(keep);
}

// A generic pointer into the shared or local window that the accessing CTA or thread does not own
// (a child grid given its parent's __shared__ array or local variable: the classic dynamic-
// parallelism mistake) is named as such, not "a host pointer" (an outside user's report).
TEST_F(FaultTest, PointersIntoAnotherCtasSharedOrLocalMemoryAreNamed) {
  std::string msg = fault_of("write_past_end", grid(1, 32), args(DevPtr(0x0000'7e00'0000'0040ull), 32));
  EXPECT_NE(msg.find("a generic pointer into shared memory beyond this CTA's"), std::string::npos) << msg;
  EXPECT_NE(msg.find("its parent's __shared__ variables"), std::string::npos) << msg;
  msg = fault_of("write_past_end", grid(1, 32), args(DevPtr(0x0000'7f00'0000'0100ull), 32));
  EXPECT_NE(msg.find("into another thread's local memory"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("a host pointer"), std::string::npos) << msg;
}

// Just below the local window: a -G build addresses local arrays generically, so `local[-1]` is
// a generic address 4 bytes under the window (a TA's student was told "a host pointer").
TEST_F(FaultTest, AGenericAddressJustBelowTheLocalOrSharedWindowIsAnIndexBelowItsArray) {
  std::string msg = fault_of("write_past_end", grid(1, 32), args(DevPtr(0x0000'7f00'0000'0000ull - 4), 1));
  EXPECT_NE(msg.find("4 bytes before the start of the thread's local memory"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("a host pointer"), std::string::npos) << msg;
  msg = fault_of("write_past_end", grid(1, 32), args(DevPtr(0x0000'7e00'0000'0000ull - 8), 1));
  EXPECT_NE(msg.find("8 bytes before the start of the CTA's shared memory"), std::string::npos) << msg;
}

// An int index that went negative (or wrapped) times the element size lands gigabytes below its
// array, outside the device's addresses: the message names the array and the likely cause, not "a
// host pointer" (found by an outside user: `(rows - 1) * cols` overflowing int).
TEST_F(FaultTest, AnIndexThatWentNegativeNamesItsArray) {
  DevPtr arr = dev->alloc(256);
  const std::string msg = fault_of("write_past_end", grid(1, 32), args(DevPtr(arr - 8000000000ull), 32));
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(arr));
  EXPECT_NE(msg.find("not a device address"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::string("bytes (7.45 GiB) before the 256-byte allocation at ") + addr), std::string::npos) << msg;
  EXPECT_NE(msg.find("an index that went negative or overflowed"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("host pointer"), std::string::npos) << msg;
}

// A static __shared__ array of 508 bytes (127 floats) ends at byte 508, not at the 16-byte boundary
// a dynamic part would start at: the word at 504 is its last, the one at 508 is out of bounds (an
// outside user's off-by-one went unreported; compute-sanitizer reports it).
TEST_F(FaultTest, SharedMemoryEndsWithTheLastStaticVariable) {
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n"
                          ".visible .entry k(.param .u32 p_at)\n{\n  .reg .u32 %at, %a;\n"
                          "  .shared .align 4 .b8 tile[508];\n  ld.param.u32 %at, [p_at];\n  mov.u32 %a, tile;\n"
                          "  add.u32 %a, %a, %at;\n  st.shared.u32 [%a], %at;\n  ret;\n}\n";
  const ModuleHandle m = dev->load_ptx("shared_end.ptx", ptx);
  EXPECT_NO_THROW(dev->launch(m, "k", grid(1, 32), args(uint32_t(504))));
  std::string msg;
  try {
    dev->launch(m, "k", grid(1, 32), args(uint32_t(508)));
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("out-of-bounds shared store of 4 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("the CTA has 508 bytes of shared memory, 0 of them dynamic"), std::string::npos) << msg;
  // With dynamic shared memory the window runs on to its end, as before.
  EXPECT_NO_THROW(dev->launch(m, "k", grid(1, 32, 16), args(uint32_t(516))));
}

// The hint "its extern __shared__ array is empty" belongs to a kernel that names such an array
// (itself or through a callee); another kernel of the same module running past a static array
// gets the sizes only (an outside user's off-by-one was sent to the launch configuration).
TEST_F(FaultTest, TheEmptyDynamicSharedHintNamesOnlyKernelsThatUseIt) {
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n"
                          ".extern .shared .align 4 .b8 dyn[];\n"
                          ".func store_dyn(.param .u32 p)\n{\n  .reg .u32 %a;\n  ld.param.u32 %a, [p];\n"
                          "  st.shared.u32 [dyn], %a;\n  ret;\n}\n"
                          ".visible .entry uses_dyn()\n{\n  .reg .u32 %v;\n  mov.u32 %v, 1;\n"
                          "  { .param .u32 q;\n  st.param.u32 [q], %v;\n  call.uni store_dyn, (q);\n  }\n  ret;\n}\n"
                          ".visible .entry static_only(.param .u32 p_at)\n{\n  .reg .u32 %at, %a;\n"
                          "  .shared .align 4 .b8 tile[256];\n  ld.param.u32 %at, [p_at];\n  mov.u32 %a, tile;\n"
                          "  add.u32 %a, %a, %at;\n  st.shared.u32 [%a], %at;\n  ret;\n}\n";
  const ModuleHandle m = dev->load_ptx("shared_hint.ptx", ptx);
  auto message = [&](const char* kernel, const KernelArgs& a) {
    try {
      dev->launch(m, kernel, grid(1, 32), a);
    } catch (const KernelFault& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string through_callee = message("uses_dyn", args());
  EXPECT_NE(through_callee.find("out-of-bounds shared store"), std::string::npos) << through_callee;
  EXPECT_NE(through_callee.find("its extern __shared__ array is empty"), std::string::npos) << through_callee;
  const std::string past_static = message("static_only", args(uint32_t(256)));
  EXPECT_NE(past_static.find("out-of-bounds shared store"), std::string::npos) << past_static;
  EXPECT_NE(past_static.find("the CTA has 256 bytes of shared memory, 0 of them dynamic"), std::string::npos) << past_static;
  EXPECT_EQ(past_static.find("extern __shared__"), std::string::npos) << past_static;
}

// A fault inside a called function names where it was called from: nvcc -G keeps __trap and
// __syncwarp out of line and without line information, so the user's line is the call site's
// (an outside user's -G build reported only "function '__trap' ... ptx:1383").
TEST_F(FaultTest, AFaultInACalledFunctionNamesItsCallSites) {
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n.file 1 \"/src/t.cu\"\n"
                          ".func boom()\n{\n  trap;\n  ret;\n}\n"
                          ".func middle()\n{\n  .loc 1 4 1\n  call.uni boom, ();\n  ret;\n}\n"
                          ".visible .entry k()\n{\n  .loc 1 9 3\n  call.uni middle, ();\n  ret;\n}\n";
  const ModuleHandle m = dev->load_ptx("calls.ptx", ptx);
  std::string msg;
  try {
    dev->launch(m, "k", grid(1, 32), args());
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("function 'boom', PC 0 (calls.ptx:7)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("called from 'middle' at PTX line 13 (t.cu:4), from 'k' at PTX line 19 (t.cu:9)"), std::string::npos)
      << msg;
}

// A vector access is checked element by element; its fault says which access the element's bytes
// belong to (an outside user's CUB scan with too little temp storage read "store of 4 bytes" for
// a 16-byte st.global.v4).
TEST_F(FaultTest, AVectorAccessFaultNamesTheWholeAccess) {
  const std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n"
                          ".visible .entry k(.param .u64 p)\n{\n  .reg .u64 %a;\n  .reg .u32 %r<4>;\n"
                          "  ld.param.u64 %a, [p];\n  mov.u32 %r0, 1;\n  mov.u32 %r1, 2;\n  mov.u32 %r2, 3;\n"
                          "  mov.u32 %r3, 4;\n  st.global.v4.u32 [%a], {%r0, %r1, %r2, %r3};\n  ret;\n}\n";
  const ModuleHandle m = dev->load_ptx("vec.ptx", ptx);
  DevPtr buf = dev->alloc(256);
  std::string msg;
  try {
    dev->launch(m, "k", grid(1, 1), args(DevPtr(buf + 256)));
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("out-of-bounds global store of 4 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(an element of a 16-byte .v4 store)"), std::string::npos) << msg;
}

TEST_F(FaultTest, MisalignedLoadIsReported) {
  DevPtr p = dev->alloc(1024), out = dev->alloc(128);
  const std::string msg = fault_of("misaligned_load", grid(1, 32), args(p, out));
  EXPECT_NE(msg.find("misaligned"), std::string::npos) << msg;
}

TEST_F(FaultTest, NullPointerStoreIsReported) {
  const std::string msg = fault_of("null_store", grid(1, 32), args(DevPtr(0)));
  EXPECT_NE(msg.find("out-of-bounds global store"), std::string::npos) << msg;
  EXPECT_NE(msg.find("0x0"), std::string::npos) << msg;
}

TEST_F(FaultTest, SharedMemoryOverflowIsReported) {
  DevPtr out = dev->alloc(128);
  const std::string msg = fault_of("shared_overflow", grid(1, 32), args(out, 1000));
  EXPECT_NE(msg.find("out-of-bounds shared load"), std::string::npos) << msg;
}

TEST_F(FaultTest, TrapNamesTheThread) {
  DevPtr out = dev->alloc(128);
  const std::string msg = fault_of("trapper", grid(1, 32), args(out));
  EXPECT_NE(msg.find("trap"), std::string::npos) << msg;
  EXPECT_NE(msg.find("thread (7,0,0)"), std::string::npos) << msg;
}

TEST_F(FaultTest, InfiniteLoopIsStoppedNotHung) {
  auto simt = dev->load_ptx("runtime_simt.ptx", read_fixture("runtime_simt.ptx"));
  DevPtr flag = dev->alloc(4);
  dev->memset(flag, 0, 4);
  try {
    dev->launch(simt, "spin_forever", grid(1, 32), args(flag));
    FAIL() << "expected a KernelFault";
  } catch (const KernelFault& e) {
    EXPECT_NE(std::string(e.what()).find("never terminates"), std::string::npos) << e.what();
  }
}

TEST_F(FaultTest, InvalidLaunchConfigurationsAreRefused) {
  DevPtr out = dev->alloc(4096);
  EXPECT_THROW(dev->launch(mod, "big_shared", grid(1, 1025), args(out)), Error);
  EXPECT_THROW(dev->launch(mod, "big_shared", grid(0, 32), args(out)), Error);
  LaunchConfig zero_block = grid(1, 32);
  zero_block.block.y = 0;
  EXPECT_THROW(dev->launch(mod, "big_shared", zero_block, args(out)), Error);
  try {
    dev->launch(mod, "big_shared", grid(1, 32, 1 << 20), args(out));
    FAIL() << "1 MiB of dynamic shared memory must be refused";
  } catch (const KernelFault&) {
    FAIL() << "refused as a fault instead of a launch error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shared memory"), std::string::npos) << e.what();
  }
  // Within limits the same kernel runs and uses its dynamic shared memory.
  dev->launch(mod, "big_shared", grid(1, 64, 64 * 4), args(out));
  auto got = dev->download<int>(out, 64);
  for (int t = 0; t < 64; ++t) ASSERT_EQ(got[t], 63 - t);
}

TEST_F(FaultTest, ParametersArePackedPerThePtxLayout) {
  DevPtr out = dev->alloc(7 * 4);
  const long long d = (7ll << 32) | 9;
  dev->launch(mod, "params", grid(1, 1), args(char(-3), short(-300), int(123456), d, 1.25f, 2.5, out));
  auto got = dev->download<int>(out, 7);
  EXPECT_EQ(got, (std::vector<int>{-3, -300, 123456, 7, 9, 125, 2500}));
}

TEST_F(FaultTest, WrongArgumentsAreRefusedWithTheParameterNamed) {
  DevPtr out = dev->alloc(64);
  EXPECT_THROW(dev->launch(mod, "null_store", grid(1, 1), args(out, out)), Error);
  try {
    dev->launch(mod, "null_store", grid(1, 1), args(int(3)));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("null_store_param_0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dev->launch(mod, "no_such_kernel", grid(1, 1), {}), Error);
}

TEST_F(FaultTest, HostCopiesOutsideAllocationsAreRefused) {
  DevPtr p = dev->alloc(16);
  std::vector<char> big(32);
  EXPECT_THROW(dev->copy_to_device(p, big.data(), big.size()), Error);
  EXPECT_THROW(dev->copy_to_host(big.data(), p + 8, 16), Error);
  EXPECT_THROW(dev->free(p + 4), Error);
  dev->free(p);
  EXPECT_THROW(dev->free(p), Error);
}

}  // namespace

namespace {

// A call with the wrong number of arguments is the caller's fault: named at the call (kernel 'k',
// PC 4, line 22 of the fixture), not inside the callee (it said "function 'g'" with k's PC).
TEST_F(FaultTest, ACallWithTheWrongArgumentCountNamesTheCaller) {
  const ModuleHandle m = dev->load_ptx("call_argument_count.ptx", read_fixture("call_argument_count.ptx"));
  std::string msg;
  try {
    dev->launch(m, "k", grid(1, 32), args(dev->alloc(128), uint32_t(0)));
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("kernel 'k', CTA (0,0,0), warp 0, PC 4 (call_argument_count.ptx:22): call to 'g' passes 1 arguments, "
                     "the function declares 2"),
            std::string::npos)
      << msg;
}

}  // namespace

// An access just past a module's __device__ array names the array (and past a string constant,
// the constant), not "the 72-byte allocation" that holds all of the module's variables.
TEST(ModuleVariableFaults, AccessPastADeviceArrayNamesIt) {
  SimDeviceOptions o;
  auto dev = make_sim_device(o);
  const std::string ptx =
      ".version 8.0\n.target sm_70\n.address_size 64\n"
      ".global .align 1 .b8 $str[8] = {104, 101, 108, 108, 111, 33, 10, 0};\n"
      ".global .align 4 .b32 table[16];\n"
      ".visible .entry fill()\n{\n  .reg .u32 %t;\n  .reg .u64 %a, %o;\n"
      "  mov.u32 %t, %tid.x;\n  mov.u64 %a, table;\n  mul.wide.u32 %o, %t, 4;\n  add.u64 %a, %a, %o;\n"
      "  st.global.u32 [%a], %t;\n  ret;\n}\n";
  const ModuleHandle m = dev->load_ptx("variables.ptx", ptx);
  dev->launch(m, "fill", grid(1, 16), {});  // inside: no fault
  std::string msg;
  try {
    dev->launch(m, "fill", grid(1, 17), {});
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  const SymbolInfo table = dev->symbol(m, "table");
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(table.address));
  EXPECT_NE(msg.find(std::string("just past the end of __device__ variable 'table' of variables.ptx (64 bytes at ") + addr + ")"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("-byte allocation"), std::string::npos) << msg;
}

// A module loaded after the program's first cudaMalloc (CUDA loads modules lazily, at the first
// launch) must not sit right behind that allocation: an index running far off the user's array
// was named "3344 bytes past the end of __device__ variable 'table'" (a teaching assistant's
// student overran `a` by 3616 bytes). Module data lives apart, so the array is named.
TEST(ModuleVariableFaults, AnOverrunOfAnAllocationNamesItNotAModuleVariableLoadedLater) {
  SimDeviceOptions o;
  auto dev = make_sim_device(o);
  const DevPtr a = dev->alloc(16384);
  const std::string ptx =
      ".version 8.0\n.target sm_70\n.address_size 64\n"
      ".global .align 4 .b32 table[4];\n"
      ".visible .entry stride(.param .u64 p)\n{\n  .reg .u32 %t, %v;\n  .reg .u64 %a, %o, %tb;\n"
      "  ld.param.u64 %a, [p];\n  mov.u32 %t, %tid.x;\n  mov.u64 %tb, table;\n  ld.global.u32 %v, [%tb];\n"
      "  mul.wide.u32 %o, %t, 4000;\n  add.u64 %a, %a, %o;\n  st.global.u32 [%a], %v;\n  ret;\n}\n";
  const ModuleHandle m = dev->load_ptx("stride.ptx", ptx);
  std::string msg;
  try {
    dev->launch(m, "stride", grid(1, 6), args(a));  // thread 5 stores at a + 20000
  } catch (const KernelFault& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("3616 bytes past the end of the 16384-byte allocation"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("table"), std::string::npos) << msg;
}

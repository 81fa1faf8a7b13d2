// The driver entry points beyond the basics (JIT linking, fat binaries, host and pitched memory,
// virtual memory, stream queries, occupancy) called through dlopen: the documented error codes
// for bad arguments (never a crash), cuGetProcAddress finding the versioned names, and a fat
// binary from nvcc -fatbin loaded whole. The CUDA programs in tests/cuda_programs/driver_*.cu
// check the same calls' results against the CPU.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <cudaProfiler.h>

#include "tests/cudadrv/driver_library.h"

using namespace gpusim::test_support;

namespace {

#define ENTRY(fn) GPUSIM_DRIVER_SYMBOL(fn)

class DriverExtras : public DriverTest {};

TEST_F(DriverExtras, FatBinaryLoadsItsPtx) {
  FILE* f = std::fopen(GPUSIM_CUDADRV_FATBIN, "rb");
  ASSERT_NE(f, nullptr);
  std::string image;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) image.append(buffer, n);
  std::fclose(f);
  CUmodule fat = nullptr;
  ASSERT_CU_OK(ENTRY(cuModuleLoadFatBinary)(&fat, image.data()));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuModuleLoadFatBinary)(nullptr, image.data()));
  const char elf[] = "\x7f" "ELF";
  EXPECT_CU(CUDA_ERROR_NO_BINARY_FOR_GPU, ENTRY(cuModuleLoadFatBinary)(&fat, elf));
}

TEST_F(DriverExtras, LinkRejectsBadArguments) {
  CUlinkState link = nullptr;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuLinkCreate)(0, nullptr, nullptr, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuLinkCreate)(1, nullptr, nullptr, &link));
  ASSERT_CU_OK(ENTRY(cuLinkCreate)(0, nullptr, nullptr, &link));
  void* out = nullptr;
  size_t size = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuLinkComplete)(link, &out, &size));  // nothing added
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuLinkAddData)(link, CU_JIT_INPUT_PTX, nullptr, 0, "x", 0, nullptr, nullptr));
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, ENTRY(cuLinkAddData)(link, CU_JIT_INPUT_OBJECT, const_cast<char*>("x"), 1, "x.o", 0,
                                                           nullptr, nullptr));
  ASSERT_CU_OK(ENTRY(cuLinkAddData)(link, CU_JIT_INPUT_PTX, const_cast<char*>(kDriverTestPtx), 0, nullptr, 0, nullptr, nullptr));
  // Two definitions of every kernel: a link error, not a crash.
  ASSERT_CU_OK(ENTRY(cuLinkAddData)(link, CU_JIT_INPUT_PTX, const_cast<char*>(kDriverTestPtx), 0, nullptr, 0, nullptr, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_IMAGE, ENTRY(cuLinkComplete)(link, &out, &size));
  ASSERT_CU_OK(ENTRY(cuLinkDestroy)(link));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuLinkComplete)(link, &out, &size));
}

TEST_F(DriverExtras, HostAndManagedMemoryRejectBadArguments) {
  CUdeviceptr p = 0;
  void* host = nullptr;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAllocManaged)(&p, 0, CU_MEM_ATTACH_GLOBAL));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAllocManaged)(&p, 64, 7));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAllocManaged)(nullptr, 64, CU_MEM_ATTACH_GLOBAL));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemHostAlloc)(&host, 64, 0x80));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemFreeHost)(&p));
  int local = 0;
  CUdeviceptr device = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemHostGetDevicePointer)(&device, &local, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemHostRegister)(nullptr, 64, 0));
  EXPECT_CU(CUDA_ERROR_NOT_SUPPORTED, ENTRY(cuMemHostRegister)(&local, sizeof local, CU_MEMHOSTREGISTER_IOMEMORY));
  EXPECT_CU(CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED, ENTRY(cuMemHostUnregister)(&local));
  // A managed allocation is freed by cuMemFree; afterwards its address is unknown.
  ASSERT_CU_OK(ENTRY(cuMemAllocManaged)(&p, 4096, CU_MEM_ATTACH_HOST));
  int is_managed = 0;
  ASSERT_CU_OK(ENTRY(cuPointerGetAttribute)(&is_managed, CU_POINTER_ATTRIBUTE_IS_MANAGED, p));
  EXPECT_EQ(is_managed, 1);
  ASSERT_CU_OK(cu.cuMemFree(p));
  CUdeviceptr base = 0;
  size_t size = 0;
  EXPECT_CU(CUDA_ERROR_NOT_FOUND, ENTRY(cuMemGetAddressRange)(&base, &size, p));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuPointerGetAttribute)(nullptr, CU_POINTER_ATTRIBUTE_CONTEXT, p));
}

TEST_F(DriverExtras, PitchedCopiesRejectBadArguments) {
  CUdeviceptr p = 0;
  size_t pitch = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAllocPitch)(&p, &pitch, 0, 4, 4));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAllocPitch)(&p, nullptr, 64, 4, 4));
  ASSERT_CU_OK(ENTRY(cuMemAllocPitch)(&p, &pitch, 100, 4, 4));
  EXPECT_EQ(pitch % 512, 0u);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemcpy2D)(nullptr));
  CUDA_MEMCPY2D c = {};
  c.srcMemoryType = CU_MEMORYTYPE_DEVICE;
  c.srcDevice = p;
  c.srcPitch = pitch;
  c.dstMemoryType = CU_MEMORYTYPE_ARRAY;  // with no array (driver_textures.cu copies to real ones)
  c.WidthInBytes = 16;
  c.Height = 2;
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuMemcpy2D)(&c));
  c.dstMemoryType = static_cast<CUmemorytype>(9);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemcpy2D)(&c));
  std::string host(64, '\0');
  c.dstMemoryType = CU_MEMORYTYPE_HOST;
  c.dstHost = host.data();
  c.dstPitch = 8;  // narrower than a row
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemcpy2D)(&c));
  c.dstPitch = 16;
  c.Height = 5;  // rows past the allocation: the device names the overrun
  c.srcPitch = 4 * pitch;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemcpy2D)(&c));
  CUDA_MEMCPY3D d = {};
  d.reserved0 = &d;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemcpy3D)(&d));
}

TEST_F(DriverExtras, VirtualMemoryRejectsBadArguments) {
  CUmemAllocationProp prop = {};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  size_t granularity = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemGetAllocationGranularity)(nullptr, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
  ASSERT_CU_OK(ENTRY(cuMemGetAllocationGranularity)(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_RECOMMENDED));
  CUmemAllocationProp managed = prop;
  managed.type = CU_MEM_ALLOCATION_TYPE_INVALID;
  CUmemGenericAllocationHandle h = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemCreate)(&h, granularity, &managed, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemCreate)(&h, granularity, &prop, 1));
  CUdeviceptr va = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAddressReserve)(&va, granularity, 3 * granularity, 0, 0));  // alignment
  ASSERT_CU_OK(ENTRY(cuMemAddressReserve)(&va, 2 * granularity, 0, 0, 0));
  CUmemAccessDesc access = {};
  access.location = prop.location;
  access.flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemSetAccess)(va, granularity, &access, 1));  // nothing mapped
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemMap)(va, granularity, 0, 999, 0));         // no such allocation
  ASSERT_CU_OK(ENTRY(cuMemCreate)(&h, granularity, &prop, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemMap)(va + 4096, granularity, 0, h, 0));    // unaligned address
  ASSERT_CU_OK(ENTRY(cuMemMap)(va, granularity, 0, h, 0));
  // Mapped without access: the device does not reach it yet, as on a GPU.
  unsigned word = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuMemcpyDtoH(&word, va, sizeof word));
  ASSERT_CU_OK(ENTRY(cuMemSetAccess)(va, granularity, &access, 1));
  ASSERT_CU_OK(cu.cuMemsetD32(va, 0x12345678u, 1));
  ASSERT_CU_OK(cu.cuMemcpyDtoH(&word, va, sizeof word));
  EXPECT_EQ(word, 0x12345678u);
  unsigned long long flags = 0;
  CUmemLocation elsewhere = {CU_MEM_LOCATION_TYPE_DEVICE, 2};
  EXPECT_CU(CUDA_ERROR_INVALID_DEVICE, ENTRY(cuMemGetAccess)(&flags, &elsewhere, va));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemGetAccess)(&flags, &prop.location, va + granularity));  // unmapped half
  ASSERT_CU_OK(ENTRY(cuMemRelease)(h));
  ASSERT_CU_OK(ENTRY(cuMemUnmap)(va, 2 * granularity));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemRelease)(h));  // freed with its last mapping
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemAddressFree)(va, granularity));  // not the reserved size
  ASSERT_CU_OK(ENTRY(cuMemAddressFree)(va, 2 * granularity));
}

TEST_F(DriverExtras, StreamAndOccupancyQueriesRejectBadArguments) {
  int priority = 0;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuStreamGetPriority)(nullptr, nullptr));
  ASSERT_CU_OK(ENTRY(cuStreamGetPriority)(nullptr, &priority));
  EXPECT_EQ(priority, 0);
  auto garbage = reinterpret_cast<CUstream>(0x1234);
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuStreamGetPriority)(garbage, &priority));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuLaunchHostFunc)(nullptr, nullptr, nullptr));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuStreamAddCallback)(nullptr, nullptr, nullptr, 0));
  CUstream s = nullptr;
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, cu.cuStreamCreate(&s, 0x40));
  int min_grid = 0, block = 0;
  CUfunction vecadd = function("vecadd");
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuOccupancyMaxPotentialBlockSize)(nullptr, &block, vecadd, nullptr, 0, 0));
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE,
            ENTRY(cuOccupancyMaxPotentialBlockSize)(&min_grid, &block, reinterpret_cast<CUfunction>(&block), nullptr, 0, 0));
  ASSERT_CU_OK(ENTRY(cuOccupancyMaxPotentialBlockSize)(&min_grid, &block, vecadd, nullptr, 0, 96));
  EXPECT_LE(block, 96);
  EXPECT_EQ(block % 32, 0);
  // dyn_fill with all the opt-in shared memory a block may have: one block per SM at most.
  size_t room = 0;
  CUfunction dyn = function("dyn_fill");
  ASSERT_CU_OK(ENTRY(cuOccupancyAvailableDynamicSMemPerBlock)(&room, dyn, 1, 128));
  EXPECT_EQ(room, size_t(48 * 1024));  // the default limit, without cuFuncSetAttribute
  int blocks = 0;
  ASSERT_CU_OK(cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, dyn, 128, room));
  EXPECT_GE(blocks, 1);
  ASSERT_CU_OK(cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, dyn, 128, room + 1));
  EXPECT_EQ(blocks, 0);  // more than the kernel may use never fits
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags)(&blocks, dyn, 128, 0, 8));
}

TEST_F(DriverExtras, ProcAddressFindsTheVersionedNames) {
  auto address = [&](const char* name, int version) {
    void* fn = nullptr;
    CUdriverProcAddressQueryResult status;
    cu.cuGetProcAddress(name, &fn, version, 0, &status);
    return fn;
  };
  auto exported = [&](const char* name) { return DriverLibrary::get().symbol<void*>(name); };
  for (const char* base : {"cuLinkCreate", "cuLinkAddData", "cuMemAllocPitch", "cuMemcpy2D", "cuMemsetD2D32",
                           "cuMemHostRegister", "cuMemHostGetDevicePointer", "cuMemGetAddressRange"})
    EXPECT_EQ(address(base, 13000), exported((std::string(base) + "_v2").c_str())) << base;
  for (const char* plain : {"cuLinkComplete", "cuMemCreate", "cuMemMap", "cuLaunchHostFunc", "cuModuleLoadFatBinary"})
    EXPECT_EQ(address(plain, 13000), exported(plain)) << plain;
  // Signatures that changed: the caller's CUDA version picks.
  EXPECT_EQ(address("cuStreamGetCtx", 12000), exported("cuStreamGetCtx"));
  EXPECT_EQ(address("cuStreamGetCtx", 13000), exported("cuStreamGetCtx_v2"));
  EXPECT_EQ(address("cuMemAdvise", 13000), exported("cuMemAdvise_v2"));
  EXPECT_EQ(address("cuMemPrefetchAsync", 12000), exported("cuMemPrefetchAsync"));
  EXPECT_EQ(address("cuCtxGetDevice", 12080), exported("cuCtxGetDevice"));
  EXPECT_EQ(address("cuCtxGetDevice", 13000), exported("cuCtxGetDevice_v2"));
}

TEST_F(DriverExtras, TheLegacyStreamIsNotCapturingAndModulesListTheirKernels) {
  CUstreamCaptureStatus status = CU_STREAM_CAPTURE_STATUS_ACTIVE;
  ASSERT_CU_OK(ENTRY(cuStreamIsCapturing)(nullptr, &status));
  EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_NONE);
  cuuint64_t id = 99;
  status = CU_STREAM_CAPTURE_STATUS_ACTIVE;
  ASSERT_CU_OK(ENTRY(cuStreamGetCaptureInfo)(nullptr, &status, &id, nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_NONE);
  EXPECT_CU(CUDA_ERROR_INVALID_HANDLE, ENTRY(cuStreamIsCapturing)(reinterpret_cast<CUstream>(0x1234), &status));
  // The mode is exchanged: the thread's previous mode (GLOBAL, CUDA's default) comes back.
  CUstreamCaptureMode mode = CU_STREAM_CAPTURE_MODE_RELAXED;
  ASSERT_CU_OK(ENTRY(cuThreadExchangeStreamCaptureMode)(&mode));
  EXPECT_EQ(mode, CU_STREAM_CAPTURE_MODE_GLOBAL);
  ASSERT_CU_OK(ENTRY(cuThreadExchangeStreamCaptureMode)(&mode));
  EXPECT_EQ(mode, CU_STREAM_CAPTURE_MODE_RELAXED);
  mode = static_cast<CUstreamCaptureMode>(7);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuThreadExchangeStreamCaptureMode)(&mode));

  // The kernels of the test module: its `.entry` lines, counted in the text.
  const std::string text = kDriverTestPtx;
  unsigned entries = 0;
  for (size_t at = text.find(".entry "); at != std::string::npos; at = text.find(".entry ", at + 1)) ++entries;
  unsigned count = 0;
  ASSERT_CU_OK(ENTRY(cuModuleGetFunctionCount)(&count, module));
  EXPECT_EQ(count, entries);
  std::vector<CUfunction> functions(count);
  ASSERT_CU_OK(ENTRY(cuModuleEnumerateFunctions)(functions.data(), count, module));
  for (CUfunction f : functions) {
    const char* name = nullptr;
    ASSERT_CU_OK(ENTRY(cuFuncGetName)(&name, f));
    EXPECT_NE(text.find(std::string(".entry ") + name + "("), std::string::npos) << name;
    EXPECT_EQ(f, function(name));  // the same handle cuModuleGetFunction gives
    CUfunctionLoadingState state = CU_FUNCTION_LOADING_STATE_UNLOADED;
    ASSERT_CU_OK(ENTRY(cuFuncIsLoaded)(&state, f));
    EXPECT_EQ(state, CU_FUNCTION_LOADING_STATE_LOADED);
  }
  void* fn = nullptr;
  ASSERT_CU_OK(cu.cuGetProcAddress("cuStreamGetCaptureInfo", &fn, 11040, 0, nullptr));
  EXPECT_EQ(fn, DriverLibrary::get().symbol<void*>("cuStreamGetCaptureInfo_v2"));
}

TEST_F(DriverExtras, ContextIdsAreUniqueAndDevicesFollowTheContext) {
  unsigned long long mine = 0, again = 0, other_id = 0;
  ASSERT_CU_OK(ENTRY(cuCtxGetId)(nullptr, &mine));
  ASSERT_CU_OK(ENTRY(cuCtxGetId)(context, &again));
  EXPECT_EQ(mine, again);
  CUcontext other = nullptr;
  ASSERT_CU_OK(cu.cuCtxCreate(&other, nullptr, 0, 0));  // becomes current
  ASSERT_CU_OK(ENTRY(cuCtxGetId)(nullptr, &other_id));
  EXPECT_NE(other_id, mine);
  CUdevice device = -1;
  ASSERT_CU_OK(ENTRY(cuCtxGetDevice_v2)(&device, context));
  EXPECT_EQ(device, 0);
  ASSERT_CU_OK(cu.cuCtxDestroy(other));
  EXPECT_CU(CUDA_ERROR_INVALID_CONTEXT, ENTRY(cuCtxGetId)(other, &other_id));
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuCtxSetFlags)(0x100));
  ASSERT_CU_OK(ENTRY(cuCtxSetFlags)(CU_CTX_SCHED_YIELD));
  ASSERT_CU_OK(ENTRY(cuCtxResetPersistingL2Cache)());
  ASSERT_CU_OK(ENTRY(cuProfilerStart)());
  ASSERT_CU_OK(ENTRY(cuProfilerStop)());
}

TEST_F(DriverExtras, ExportedAllocationAliasesItsImport) {
  CUmemAllocationProp prop = {};
  prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  size_t granularity = 0;
  ASSERT_CU_OK(ENTRY(cuMemGetAllocationGranularity)(&granularity, &prop, CU_MEM_ALLOC_GRANULARITY_MINIMUM));
  CUmemGenericAllocationHandle plain = 0, shareable = 0, imported = 0;
  ASSERT_CU_OK(ENTRY(cuMemCreate)(&plain, granularity, &prop, 0));
  int fd = -1;
  // Not requested at creation: not exportable.
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE,
            ENTRY(cuMemExportToShareableHandle)(&fd, plain, CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR, 0));
  prop.requestedHandleTypes = CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR;
  ASSERT_CU_OK(ENTRY(cuMemCreate)(&shareable, granularity, &prop, 0));
  ASSERT_CU_OK(ENTRY(cuMemExportToShareableHandle)(&fd, shareable, CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR, 0));
  ASSERT_GE(fd, 0);
  ASSERT_CU_OK(ENTRY(cuMemImportFromShareableHandle)(&imported, reinterpret_cast<void*>(intptr_t(fd)),
                                                    CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR));
  close(fd);  // the import holds its own reference
  CUdeviceptr va = 0;
  ASSERT_CU_OK(ENTRY(cuMemAddressReserve)(&va, 2 * granularity, 0, 0, 0));
  ASSERT_CU_OK(ENTRY(cuMemMap)(va, granularity, 0, shareable, 0));
  ASSERT_CU_OK(ENTRY(cuMemMap)(va + granularity, granularity, 0, imported, 0));
  CUmemAccessDesc access = {prop.location, CU_MEM_ACCESS_FLAGS_PROT_READWRITE};
  ASSERT_CU_OK(ENTRY(cuMemSetAccess)(va, 2 * granularity, &access, 1));
  ASSERT_CU_OK(cu.cuMemsetD32(va + 64, 0xfeedface, 4));
  uint32_t seen[4] = {};
  ASSERT_CU_OK(cu.cuMemcpyDtoH(seen, va + granularity + 64, sizeof seen));
  for (uint32_t v : seen) EXPECT_EQ(v, 0xfeedfaceu);
  EXPECT_CU(CUDA_ERROR_INVALID_VALUE, ENTRY(cuMemImportFromShareableHandle)(&imported, reinterpret_cast<void*>(intptr_t(-1)),
                                                                           CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR));
  ASSERT_CU_OK(ENTRY(cuMemUnmap)(va, 2 * granularity));
  ASSERT_CU_OK(ENTRY(cuMemAddressFree)(va, 2 * granularity));
  for (CUmemGenericAllocationHandle h : {plain, shareable, imported}) ASSERT_CU_OK(ENTRY(cuMemRelease)(h));
}

// A __managed__ variable of a driver-loaded module is one address for host and device, as CUDA's
// unified memory gives: cuModuleGetGlobal's address is dereferenced on the host, starts with the
// PTX initializer, and a kernel's store through the symbol and through a pointer argument are
// there after the synchronize.
TEST_F(DriverExtras, ManagedVariablesShareOneAddressWithTheHost) {
  const char* ptx = R"PTX(.version 7.0
.target sm_70
.address_size 64
.visible .global .attribute(.managed) .align 4 .u32 hits = 7;
.visible .global .attribute(.managed) .align 8 .b8 pad[24];
.visible .entry bump(.param .u64 p)
{
  .reg .b64 %rd<2>;
  .reg .b32 %r<2>;
  ld.global.u32 %r1, [hits];
  add.u32 %r1, %r1, 1;
  st.global.u32 [hits], %r1;
  ld.param.u64 %rd1, [p];
  st.global.u32 [%rd1+4], %r1;
  ret;
}
)PTX";
  CUmodule managed_module = nullptr;
  ASSERT_CU_OK(cu.cuModuleLoadData(&managed_module, ptx));
  CUdeviceptr hits = 0, pad = 0;
  size_t bytes = 0;
  ASSERT_CU_OK(cu.cuModuleGetGlobal(&hits, &bytes, managed_module, "hits"));
  EXPECT_EQ(bytes, 4u);
  ASSERT_CU_OK(cu.cuModuleGetGlobal(&pad, &bytes, managed_module, "pad"));
  EXPECT_EQ(bytes, 24u);
  EXPECT_EQ(pad % 8, 0u);
  auto* host_hits = reinterpret_cast<uint32_t*>(hits);
  EXPECT_EQ(*host_hits, 7u);
  *host_hits = 40;
  int is_managed = 0;
  ASSERT_CU_OK(ENTRY(cuPointerGetAttribute)(&is_managed, CU_POINTER_ATTRIBUTE_IS_MANAGED, hits));
  EXPECT_EQ(is_managed, 1);
  CUfunction bump = nullptr;
  ASSERT_CU_OK(cu.cuModuleGetFunction(&bump, managed_module, "bump"));
  void* params[] = {&pad};
  ASSERT_CU_OK(cu.cuLaunchKernel(bump, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr));
  ASSERT_CU_OK(cu.cuCtxSynchronize());
  EXPECT_EQ(*host_hits, 41u);
  EXPECT_EQ(reinterpret_cast<uint32_t*>(pad)[1], 41u);
  EXPECT_EQ(reinterpret_cast<uint32_t*>(pad)[0], 0u);
}

}  // namespace

// Pitched and host memory through the driver API, element by element against host-computed
// expectations: cuMemAllocPitch rows written by a kernel at the pitch it returned, cuMemcpy2D
// between host and device sub-rectangles with different pitches and offsets, cuMemcpy3D over
// slices, the 2-D memsets of every width; managed memory a kernel and the host share; mapped
// page-locked memory (CU_MEMHOSTALLOC_DEVICEMAP, cuMemHostGetDevicePointer) and registered
// host memory a kernel writes; pointer attributes and address ranges; prefetch and advice;
// host functions and callbacks in stream order; stream and context queries; occupancy.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "nvrtc_ptx.cuh"

static const char* kSource = R"(
extern "C" __global__ void label(float* base, size_t pitch, int width, int height) {
  int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y;
  if (x < width && y < height) ((float*)((char*)base + y * pitch))[x] = y * 1000.0f + x;
}
extern "C" __global__ void square_plus(int* v, int add, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) v[i] = v[i] * v[i] + add;
}
)";

static void host_step(void* data) { static_cast<std::vector<int>*>(data)->push_back(1); }
static void CUDA_CB callback_step(CUstream, CUresult status, void* data) {
  static_cast<std::vector<int>*>(data)->push_back(status == CUDA_SUCCESS ? 2 : -1);
}

int main() {
  const auto [dev, ctx] = start_driver();
  const std::string ptx = compile_ptx(kSource, "memory.cu");
  CUmodule mod;
  CU(cuModuleLoadData(&mod, ptx.c_str()));
  CUfunction label, square_plus;
  CU(cuModuleGetFunction(&label, mod, "label"));
  CU(cuModuleGetFunction(&square_plus, mod, "square_plus"));

  // A pitched image labelled by a kernel, read back whole and as a sub-rectangle.
  const int width = 100, height = 37;
  CUdeviceptr image;
  size_t pitch = 0;
  CU(cuMemAllocPitch(&image, &pitch, width * sizeof(float), height, sizeof(float)));
  EXPECT(pitch >= width * sizeof(float) && pitch % 256 == 0);
  void* label_args[] = {&image, &pitch, const_cast<int*>(&width), const_cast<int*>(&height)};
  CU(cuLaunchKernel(label, (width + 63) / 64, height, 1, 64, 1, 1, 0, nullptr, label_args, nullptr));
  const int sub_w = 30, sub_h = 11, x0 = 17, y0 = 5, host_pitch_floats = 41, hx = 3, hy = 2;
  std::vector<float> host(host_pitch_floats * (sub_h + hy), -1.0f);
  CUDA_MEMCPY2D down = {};
  down.srcMemoryType = CU_MEMORYTYPE_DEVICE;
  down.srcDevice = image;
  down.srcPitch = pitch;
  down.srcXInBytes = x0 * sizeof(float);
  down.srcY = y0;
  down.dstMemoryType = CU_MEMORYTYPE_HOST;
  down.dstHost = host.data();
  down.dstPitch = host_pitch_floats * sizeof(float);
  down.dstXInBytes = hx * sizeof(float);
  down.dstY = hy;
  down.WidthInBytes = sub_w * sizeof(float);
  down.Height = sub_h;
  CU(cuMemcpy2D(&down));
  for (int y = 0; y < sub_h + hy; ++y)
    for (int x = 0; x < host_pitch_floats; ++x) {
      const bool inside = y >= hy && x >= hx && x < hx + sub_w;
      const float want = inside ? (y - hy + y0) * 1000.0f + (x - hx + x0) : -1.0f;
      EXPECT(host[y * host_pitch_floats + x] == want);
    }

  // Host to device into a plain allocation of another pitch (Unaligned and Async forms), then
  // device to device back into the image: row r of the image becomes the host pattern.
  const size_t tight = width * sizeof(float);
  std::vector<float> pattern(width * height);
  for (int i = 0; i < width * height; ++i) pattern[i] = -0.5f * i;
  CUdeviceptr plain;
  CU(cuMemAlloc(&plain, tight * height));
  CUDA_MEMCPY2D up = {};
  up.srcMemoryType = CU_MEMORYTYPE_HOST;
  up.srcHost = pattern.data();
  up.srcPitch = tight;
  up.dstMemoryType = CU_MEMORYTYPE_UNIFIED;  // the address says it is device memory
  up.dstDevice = plain;
  up.dstPitch = tight;
  up.WidthInBytes = tight;
  up.Height = height;
  CU(cuMemcpy2DUnaligned(&up));
  CUDA_MEMCPY2D across = {};
  across.srcMemoryType = CU_MEMORYTYPE_DEVICE;
  across.srcDevice = plain;
  across.srcPitch = tight;
  across.dstMemoryType = CU_MEMORYTYPE_DEVICE;
  across.dstDevice = image;
  across.dstPitch = pitch;
  across.WidthInBytes = tight;
  across.Height = height;
  CU(cuMemcpy2DAsync(&across, nullptr));
  std::vector<float> whole(pitch / sizeof(float) * height);
  CU(cuMemcpyDtoH(whole.data(), image, pitch * height));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) EXPECT(whole[y * pitch / sizeof(float) + x] == pattern[y * width + x]);

  // 2-D memsets: 8, 16 and 32-bit patterns over a sub-rectangle; the bytes around stay.
  CU(cuMemsetD8(image, 0, pitch * height));
  CU(cuMemsetD2D32(image + 4 * pitch + 8, pitch, 0x11223344u, 5, 3));
  CU(cuMemsetD2D16(image + 10 * pitch + 2, pitch, 0xabcd, 7, 2));
  CU(cuMemsetD2D8Async(image + 20 * pitch + 1, pitch, 0x5a, 9, 4, nullptr));
  std::vector<uint8_t> bytes(pitch * height), want(pitch * height, 0);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 5; ++x) {
      const uint32_t v = 0x11223344u;
      std::memcpy(&want[(4 + y) * pitch + 8 + 4 * x], &v, 4);
    }
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 7; ++x) {
      const uint16_t v = 0xabcd;
      std::memcpy(&want[(10 + y) * pitch + 2 + 2 * x], &v, 2);
    }
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 9; ++x) want[(20 + y) * pitch + 1 + x] = 0x5a;
  CU(cuMemcpyDtoH(bytes.data(), image, bytes.size()));
  EXPECT(bytes == want);
  EXPECT(cuMemsetD2D32(image + 2, pitch, 1, 4, 4) == CUDA_ERROR_INVALID_VALUE);        // misaligned
  EXPECT(cuMemsetD2D8(image, 16, 1, 32, 2) == CUDA_ERROR_INVALID_VALUE);               // row > pitch
  EXPECT(cuMemAllocPitch(&plain, &pitch, 64, 4, 3) == CUDA_ERROR_INVALID_VALUE);       // element size

  // 3-D: a 4x3x2 box of ints from a host volume (pitch 8 ints, 5 rows a slice) to device memory
  // of another layout (pitch 6 ints, 4 rows a slice), then back to a tight host box.
  const int box_w = 4, box_h = 3, box_d = 2;
  std::vector<int> volume(8 * 5 * 3);
  for (size_t i = 0; i < volume.size(); ++i) volume[i] = static_cast<int>(i * 7 + 1);
  CUdeviceptr dvol;
  CU(cuMemAlloc(&dvol, 6 * sizeof(int) * 4 * 3));
  CUDA_MEMCPY3D in3 = {};
  in3.srcMemoryType = CU_MEMORYTYPE_HOST;
  in3.srcHost = volume.data();
  in3.srcPitch = 8 * sizeof(int);
  in3.srcHeight = 5;
  in3.srcXInBytes = 2 * sizeof(int);
  in3.srcY = 1;
  in3.srcZ = 1;
  in3.dstMemoryType = CU_MEMORYTYPE_DEVICE;
  in3.dstDevice = dvol;
  in3.dstPitch = 6 * sizeof(int);
  in3.dstHeight = 4;
  in3.WidthInBytes = box_w * sizeof(int);
  in3.Height = box_h;
  in3.Depth = box_d;
  CU(cuMemcpy3D(&in3));
  std::vector<int> box(box_w * box_h * box_d, 0);
  CUDA_MEMCPY3D out3 = {};
  out3.srcMemoryType = CU_MEMORYTYPE_DEVICE;
  out3.srcDevice = dvol;
  out3.srcPitch = 6 * sizeof(int);
  out3.srcHeight = 4;
  out3.dstMemoryType = CU_MEMORYTYPE_HOST;
  out3.dstHost = box.data();
  out3.dstPitch = box_w * sizeof(int);
  out3.dstHeight = box_h;
  out3.WidthInBytes = box_w * sizeof(int);
  out3.Height = box_h;
  out3.Depth = box_d;
  CU(cuMemcpy3DAsync(&out3, nullptr));
  for (int z = 0; z < box_d; ++z)
    for (int y = 0; y < box_h; ++y)
      for (int x = 0; x < box_w; ++x) EXPECT(box[(z * box_h + y) * box_w + x] == volume[((z + 1) * 5 + y + 1) * 8 + x + 2]);
  out3.srcHeight = 2;  // a slice shorter than the copy's height
  EXPECT(cuMemcpy3D(&out3) == CUDA_ERROR_INVALID_VALUE);

  // Managed memory: written by the host, squared by a kernel, read by the host, no copies.
  const int n = 777;
  CUdeviceptr managed;
  CU(cuMemAllocManaged(&managed, n * sizeof(int), CU_MEM_ATTACH_GLOBAL));
  int* m = reinterpret_cast<int*>(managed);
  for (int i = 0; i < n; ++i) m[i] = i - 300;
  CUmemLocation device_location = {CU_MEM_LOCATION_TYPE_DEVICE, 0};
  CU(cuMemAdvise(managed, n * sizeof(int), CU_MEM_ADVISE_SET_READ_MOSTLY, device_location));
  CU(cuMemPrefetchAsync(managed, n * sizeof(int), device_location, 0, nullptr));
  int add = 5, count = n;
  void* sq_args[] = {&managed, &add, &count};
  CU(cuLaunchKernel(square_plus, (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, sq_args, nullptr));
  CU(cuCtxSynchronize());
  for (int i = 0; i < n; ++i) EXPECT(m[i] == (i - 300) * (i - 300) + 5);
  int is_managed = 0;
  CU(cuPointerGetAttribute(&is_managed, CU_POINTER_ATTRIBUTE_IS_MANAGED, managed + 40));
  EXPECT(is_managed == 1);
  EXPECT(cuMemPrefetchAsync(managed, 2 * n * sizeof(int), device_location, 0, nullptr) == CUDA_ERROR_INVALID_VALUE);
  EXPECT(cuMemAdvise(plain, 64, CU_MEM_ADVISE_SET_READ_MOSTLY, device_location) == CUDA_ERROR_INVALID_VALUE);

  // Mapped page-locked memory: the kernel writes the host's buffer through its device pointer.
  int* pinned = nullptr;
  CU(cuMemHostAlloc(reinterpret_cast<void**>(&pinned), n * sizeof(int), CU_MEMHOSTALLOC_DEVICEMAP));
  for (int i = 0; i < n; ++i) pinned[i] = 2 * i;
  CUdeviceptr pinned_device;
  CU(cuMemHostGetDevicePointer(&pinned_device, pinned, 0));
  add = -1;
  sq_args[0] = &pinned_device;
  CU(cuLaunchKernel(square_plus, (n + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, sq_args, nullptr));
  for (int i = 0; i < n; ++i) EXPECT(pinned[i] == 4 * i * i - 1);
  unsigned host_flags = 0;
  CU(cuMemHostGetFlags(&host_flags, pinned));
  EXPECT(host_flags & CU_MEMHOSTALLOC_DEVICEMAP);
  unsigned memory_type = 0;
  CU(cuPointerGetAttribute(&memory_type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, pinned_device));
  EXPECT(memory_type == CU_MEMORYTYPE_HOST);
  CU(cuMemFreeHost(pinned));

  // Registered memory: the program's own vector, reached by the kernel.
  std::vector<int> mine(4096 / sizeof(int) * 3);
  for (size_t i = 0; i < mine.size(); ++i) mine[i] = static_cast<int>(i);
  CU(cuMemHostRegister(mine.data(), mine.size() * sizeof(int), CU_MEMHOSTREGISTER_DEVICEMAP));
  EXPECT(cuMemHostRegister(mine.data(), 64, 0) == CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED);
  CUdeviceptr mine_device;
  CU(cuMemHostGetDevicePointer(&mine_device, mine.data(), 0));
  add = 1;
  count = static_cast<int>(mine.size());
  sq_args[0] = &mine_device;
  CU(cuLaunchKernel(square_plus, (count + 127) / 128, 1, 1, 128, 1, 1, 0, nullptr, sq_args, nullptr));
  for (size_t i = 0; i < mine.size(); ++i) EXPECT(mine[i] == static_cast<int>(i * i + 1));
  CU(cuMemHostUnregister(mine.data()));
  EXPECT(cuMemHostUnregister(mine.data()) == CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED);

  // Pointer attributes and address ranges of a device allocation; an unknown pointer.
  CUdeviceptr base = 0;
  size_t size = 0;
  CU(cuMemGetAddressRange(&base, &size, dvol + 20));
  EXPECT(base == dvol && size == 6 * sizeof(int) * 4 * 3);
  CUpointer_attribute which[] = {CU_POINTER_ATTRIBUTE_CONTEXT, CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                 CU_POINTER_ATTRIBUTE_RANGE_START_ADDR, CU_POINTER_ATTRIBUTE_IS_MANAGED};
  CUcontext owner = nullptr;
  unsigned type = 0;
  CUdeviceptr start = 0;
  int managed_flag = -1;
  void* data[] = {&owner, &type, &start, &managed_flag};
  CU(cuPointerGetAttributes(4, which, data, dvol + 20));
  EXPECT(owner == ctx && type == CU_MEMORYTYPE_DEVICE && start == dvol && managed_flag == 0);
  int on_stack = 0;
  EXPECT(cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, reinterpret_cast<CUdeviceptr>(&on_stack)) ==
         CUDA_ERROR_INVALID_VALUE);
  EXPECT(cuMemGetAddressRange(&base, &size, reinterpret_cast<CUdeviceptr>(&on_stack)) == CUDA_ERROR_NOT_FOUND);

  // cuMemcpy with unified addressing: host to managed to device and back.
  std::vector<int> round(n, 0);
  CU(cuMemcpy(reinterpret_cast<CUdeviceptr>(round.data()), managed, n * sizeof(int)));
  for (int i = 0; i < n; ++i) EXPECT(round[i] == m[i]);
  CU(cuMemFree(managed));

  // Host work in stream order, and what a stream says about itself.
  CUstream stream;
  CU(cuStreamCreateWithPriority(&stream, CU_STREAM_NON_BLOCKING, -100));
  std::vector<int> steps;
  CU(cuLaunchHostFunc(stream, host_step, &steps));
  CU(cuStreamAddCallback(stream, callback_step, &steps, 0));
  CU(cuStreamSynchronize(stream));
  EXPECT(steps.size() == 2 && steps[0] == 1 && steps[1] == 2);
  int least = 0, greatest = 0, priority = 0;
  CU(cuCtxGetStreamPriorityRange(&least, &greatest));
  CU(cuStreamGetPriority(stream, &priority));
  EXPECT(greatest < least && priority == greatest);  // clamped to the highest priority
  unsigned stream_flags = 0;
  CU(cuStreamGetFlags(stream, &stream_flags));
  EXPECT(stream_flags == CU_STREAM_NON_BLOCKING);
  CUcontext stream_ctx = nullptr;
  CU(cuStreamGetCtx(stream, &stream_ctx));
  EXPECT(stream_ctx == ctx);
  unsigned long long id = 0;
  CU(cuStreamGetId(stream, &id));
  EXPECT(id != 0);
  CUdeviceptr async_block;
  CU(cuMemAllocAsync(&async_block, 1024, stream));
  CU(cuMemsetD32Async(async_block, 9, 256, stream));
  CU(cuMemFreeAsync(async_block, stream));
  CU(cuStreamDestroy(stream));
  EXPECT(cuLaunchHostFunc(stream, host_step, &steps) == CUDA_ERROR_INVALID_HANDLE && steps.size() == 2);

  // Occupancy: the suggested block size fits as many threads on an SM as any other block size.
  int min_grid = 0, block = 0;
  CU(cuOccupancyMaxPotentialBlockSize(&min_grid, &block, square_plus, nullptr, 0, 0));
  int best_blocks = 0;
  CU(cuOccupancyMaxActiveBlocksPerMultiprocessor(&best_blocks, square_plus, block, 0));
  for (int size = 32; size <= 1024; size += 32) {
    int blocks = 0;
    CU(cuOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, square_plus, size, 0));
    EXPECT(blocks * size <= best_blocks * block);
  }
  int sms = 0;
  CU(cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
  EXPECT(block > 0 && min_grid == best_blocks * sms);
  char bus_id[32] = {};
  CU(cuDeviceGetPCIBusId(bus_id, sizeof bus_id, dev));
  CUdevice found = -1;
  CU(cuDeviceGetByPCIBusId(&found, bus_id));
  EXPECT(found == dev);
  // One device: no peer, and a "peer" copy between two contexts of it is a device copy.
  int can_access = -1;
  CU(cuDeviceCanAccessPeer(&can_access, dev, dev));
  EXPECT(can_access == 0);
  CU(cuMemcpyPeer(dvol, ctx, plain, ctx, 64));
  float peer_copy[16];
  CU(cuMemcpyDtoH(peer_copy, dvol, sizeof peer_copy));
  for (int i = 0; i < 16; ++i) EXPECT(peer_copy[i] == pattern[i]);
  CUevent event;
  CU(cuEventCreate(&event, 0));
  CU(cuEventRecordWithFlags(event, nullptr, CU_EVENT_RECORD_DEFAULT));
  CU(cuEventSynchronize(event));
  CU(cuCtxDestroy(ctx));
  std::printf("driver_memory: OK\n");
  return 0;
}

// User objects with the references graphs and executable graphs hold (destructors run when the
// last reference goes), and small queries (cluster size, pool access, 1-D linear texture width,
// per-device kernel attributes, valid devices, array-to-array copies). Every value is checked
// against a host computation or another API's independent answer, and every bad input against
// CUDA's error code.
#include "graph_test_helpers.cuh"

// ---- user objects ----
static int destroyed[8];
static void destroy_object(void* which) { ++destroyed[*static_cast<int*>(which)]; }
static int ids[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static cudaUserObject_t make_object(int id, unsigned refs = 1) {
  cudaUserObject_t o;
  CHECK(cudaUserObjectCreate(&o, &ids[id], destroy_object, refs, cudaUserObjectNoDestructorSync));
  return o;
}

static void user_objects() {
  // 0: the program's references only.
  cudaUserObject_t o0 = make_object(0, 2);
  CHECK(cudaUserObjectRetain(o0, 3));
  CHECK(cudaUserObjectRelease(o0, 4));
  EXPECT(destroyed[0] == 0);
  CHECK(cudaUserObjectRelease(o0));
  EXPECT(destroyed[0] == 1);
  EXPECT_CODE(cudaUserObjectRetain(o0, 1), cudaErrorInvalidValue);  // gone

  // 1: a graph's reference, then an executable graph's of its own.
  cudaUserObject_t o1 = make_object(1);
  cudaGraph_t g;
  CHECK(cudaGraphCreate(&g, 0));
  cudaGraphNode_t empty;
  CHECK(cudaGraphAddEmptyNode(&empty, g, nullptr, 0));
  CHECK(cudaGraphRetainUserObject(g, o1, 1, 0));
  CHECK(cudaUserObjectRelease(o1));
  EXPECT(destroyed[1] == 0);
  cudaGraphExec_t exec;
  CHECK(cudaGraphInstantiate(&exec, g, 0));
  CHECK(cudaGraphDestroy(g));
  EXPECT(destroyed[1] == 0);  // the executable graph holds one
  CHECK(cudaGraphLaunch(exec, 0));
  CHECK(cudaGraphExecDestroy(exec));
  EXPECT(destroyed[1] == 1);

  // 2: references moved to a graph; a clone holds copies.
  cudaUserObject_t o2 = make_object(2, 2);
  CHECK(cudaGraphCreate(&g, 0));
  CHECK(cudaGraphRetainUserObject(g, o2, 2, cudaGraphUserObjectMove));
  EXPECT_CODE(cudaUserObjectRelease(o2, 1), cudaErrorInvalidValue);  // the program holds none now
  EXPECT_CODE(cudaGraphRetainUserObject(g, o2, 1, cudaGraphUserObjectMove), cudaErrorInvalidValue);
  CHECK(cudaGraphReleaseUserObject(g, o2, 1));
  EXPECT(destroyed[2] == 0);
  EXPECT_CODE(cudaGraphReleaseUserObject(g, o2, 2), cudaErrorInvalidValue);  // the graph holds 1
  cudaGraph_t clone;
  CHECK(cudaGraphClone(&clone, g));
  CHECK(cudaGraphDestroy(g));
  EXPECT(destroyed[2] == 0);
  CHECK(cudaGraphDestroy(clone));
  EXPECT(destroyed[2] == 1);

  // 3: a child graph node's graph holds the child's references.
  cudaUserObject_t o3 = make_object(3);
  cudaGraph_t child, parent;
  CHECK(cudaGraphCreate(&child, 0));
  CHECK(cudaGraphRetainUserObject(child, o3, 1, cudaGraphUserObjectMove));
  CHECK(cudaGraphCreate(&parent, 0));
  cudaGraphNode_t cn;
  CHECK(cudaGraphAddChildGraphNode(&cn, parent, nullptr, 0, child));
  CHECK(cudaGraphDestroy(child));
  EXPECT(destroyed[3] == 0);
  CHECK(cudaGraphDestroy(parent));
  EXPECT(destroyed[3] == 1);

  // 4, 5: cudaGraphExecUpdate replaces the executable graph's references with the new graph's.
  cudaUserObject_t o4 = make_object(4), o5 = make_object(5);
  cudaGraph_t g4, g5;
  CHECK(cudaGraphCreate(&g4, 0));
  CHECK(cudaGraphCreate(&g5, 0));
  CHECK(cudaGraphAddEmptyNode(&empty, g4, nullptr, 0));
  CHECK(cudaGraphAddEmptyNode(&empty, g5, nullptr, 0));
  CHECK(cudaGraphRetainUserObject(g4, o4, 1, cudaGraphUserObjectMove));
  CHECK(cudaGraphRetainUserObject(g5, o5, 1, cudaGraphUserObjectMove));
  CHECK(cudaGraphInstantiate(&exec, g4, 0));
  cudaGraphExecUpdateResultInfo info;
  CHECK(cudaGraphExecUpdate(exec, g5, &info));
  CHECK(cudaGraphDestroy(g4));
  EXPECT(destroyed[4] == 1);  // the executable graph dropped its reference at the update
  CHECK(cudaGraphDestroy(g5));
  EXPECT(destroyed[5] == 0);
  CHECK(cudaGraphExecDestroy(exec));
  EXPECT(destroyed[5] == 1);

  // A capture's graph holding a reference: the capture fails (a synchronous cudaMalloc in global
  // mode invalidates it), its graph goes, and the reference with it.
  cudaUserObject_t o7 = make_object(7);
  cudaStream_t s;
  CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
  cudaStreamCaptureStatus status;
  cudaGraph_t capturing;
  CHECK(cudaStreamGetCaptureInfo(s, &status, nullptr, &capturing, nullptr, nullptr, nullptr));
  CHECK(cudaGraphRetainUserObject(capturing, o7, 1, cudaGraphUserObjectMove));
  void* p;
  EXPECT_CODE(cudaMalloc(&p, 64), cudaErrorStreamCaptureUnsupported);
  cudaGraph_t failed = nullptr;
  EXPECT_CODE(cudaStreamEndCapture(s, &failed), cudaErrorStreamCaptureInvalidated);
  EXPECT(failed == nullptr);
  EXPECT(destroyed[7] == 1);
  CHECK(cudaStreamDestroy(s));

  // Errors.
  cudaUserObject_t o6;
  EXPECT_CODE(cudaUserObjectCreate(&o6, &ids[6], destroy_object, 1, 0), cudaErrorInvalidValue);
  EXPECT_CODE(cudaUserObjectCreate(&o6, &ids[6], destroy_object, 0, cudaUserObjectNoDestructorSync), cudaErrorInvalidValue);
  EXPECT_CODE(cudaUserObjectCreate(&o6, &ids[6], nullptr, 1, cudaUserObjectNoDestructorSync), cudaErrorInvalidValue);
  EXPECT_CODE(cudaUserObjectCreate(nullptr, &ids[6], destroy_object, 1, cudaUserObjectNoDestructorSync), cudaErrorInvalidValue);
  o6 = make_object(6);
  EXPECT_CODE(cudaUserObjectRetain(o6, 0), cudaErrorInvalidValue);
  EXPECT_CODE(cudaUserObjectRelease(o6, 2), cudaErrorInvalidValue);
  EXPECT_CODE(cudaUserObjectRetain(nullptr, 1), cudaErrorInvalidValue);
  CHECK(cudaGraphCreate(&g, 0));
  EXPECT_CODE(cudaGraphRetainUserObject(g, o6, 1, 5), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphRetainUserObject(g, o6, 0, 0), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphRetainUserObject(nullptr, o6, 1, 0), cudaErrorInvalidValue);
  EXPECT_CODE(cudaGraphReleaseUserObject(g, o6, 1), cudaErrorInvalidValue);  // the graph holds none
  CHECK(cudaGraphDestroy(g));
  CHECK(cudaUserObjectRelease(o6));
  EXPECT(destroyed[6] == 1);
  for (int i = 0; i < 8; ++i) EXPECT(destroyed[i] == 1);
}

// ---- small queries ----
static void small_queries() {
  // The largest co-schedulable cluster, against cudaOccupancyMaxActiveClusters for each size.
  cudaLaunchConfig_t cfg{};
  cudaLaunchAttribute attr{};
  cfg.blockDim = dim3(128);
  cfg.attrs = &attr;
  cfg.numAttrs = 1;
  attr.id = cudaLaunchAttributeClusterDimension;
  // (A cluster of 1 CTA names no cluster shape for cudaOccupancyMaxActiveClusters; where clusters of
  // 2 fit, so does 1, and a configuration without GPCs schedules none: 0.)
  const auto largest_schedulable = [&](int limit) {
    for (int s = limit; s >= 2; --s) {
      attr.val.clusterDim.x = s;
      attr.val.clusterDim.y = attr.val.clusterDim.z = 1;
      cfg.gridDim = dim3(16 * s);
      int clusters = 0;
      CHECK(cudaOccupancyMaxActiveClusters(&clusters, add_kernel, &cfg));
      if (clusters > 0) return s;
    }
    return 0;
  };
  int size = -1;
  CHECK(cudaOccupancyMaxPotentialClusterSize(&size, add_kernel, &cfg));
  EXPECT(size == largest_schedulable(8) && size <= 8);
  const int portable = size;
  CHECK(cudaFuncSetAttribute(add_kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  CHECK(cudaOccupancyMaxPotentialClusterSize(&size, add_kernel, &cfg));
  EXPECT(size == largest_schedulable(16) && size >= portable && size <= 16);
  CHECK(cudaFuncSetAttribute(add_kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 0));
  cfg.blockDim = dim3(2048);  // more threads than a block may have: nothing is resident
  CHECK(cudaOccupancyMaxPotentialClusterSize(&size, add_kernel, &cfg));
  EXPECT(size == 0);
  EXPECT_CODE(cudaOccupancyMaxPotentialClusterSize(nullptr, add_kernel, &cfg), cudaErrorInvalidValue);
  EXPECT_CODE(cudaOccupancyMaxPotentialClusterSize(&size, add_kernel, nullptr), cudaErrorInvalidValue);
  cfg.blockDim = dim3(128);
  EXPECT_CODE(cudaOccupancyMaxPotentialClusterSize(&size, reinterpret_cast<void*>(&size), &cfg), cudaErrorInvalidDeviceFunction);

  // Pool access: the device reaches its own pools read-write.
  cudaMemPool_t pool;
  CHECK(cudaDeviceGetDefaultMemPool(&pool, 0));
  cudaMemAccessFlags flags = cudaMemAccessFlagsProtNone;
  cudaMemLocation loc{};
  loc.type = cudaMemLocationTypeDevice;
  loc.id = 0;
  CHECK(cudaMemPoolGetAccess(&flags, pool, &loc));
  EXPECT(flags == cudaMemAccessFlagsProtReadWrite);
  loc.id = 1;
  EXPECT_CODE(cudaMemPoolGetAccess(&flags, pool, &loc), cudaErrorInvalidDevice);
  loc.id = 0;
  EXPECT_CODE(cudaMemPoolGetAccess(&flags, nullptr, &loc), cudaErrorInvalidValue);
  EXPECT_CODE(cudaMemPoolGetAccess(nullptr, pool, &loc), cudaErrorInvalidValue);

  // 1-D linear texture width: the device attribute's.
  int attr_width = 0;
  CHECK(cudaDeviceGetAttribute(&attr_width, cudaDevAttrMaxTexture1DLinearWidth, 0));
  size_t width = 0;
  cudaChannelFormatDesc f4 = cudaCreateChannelDesc<float4>();
  CHECK(cudaDeviceGetTexture1DLinearMaxWidth(&width, &f4, 0));
  EXPECT(width == size_t(attr_width) && width > 0);
  EXPECT_CODE(cudaDeviceGetTexture1DLinearMaxWidth(&width, &f4, 1), cudaErrorInvalidDevice);
  EXPECT_CODE(cudaDeviceGetTexture1DLinearMaxWidth(nullptr, &f4, 0), cudaErrorInvalidValue);
  cudaChannelFormatDesc mixed = cudaCreateChannelDesc(8, 16, 0, 0, cudaChannelFormatKindUnsigned);
  EXPECT_CODE(cudaDeviceGetTexture1DLinearMaxWidth(&width, &mixed, 0), cudaErrorInvalidChannelDescriptor);

  // A kernel attribute for device 0, read back through cudaFuncGetAttributes.
  cudaKernel_t kernel;
  CHECK(cudaGetKernel(&kernel, add_kernel));
  CHECK(cudaKernelSetAttributeForDevice(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, 50000, 0));
  cudaFuncAttributes fa{};
  CHECK(cudaFuncGetAttributes(&fa, add_kernel));
  EXPECT(fa.maxDynamicSharedSizeBytes == 50000);
  EXPECT_CODE(cudaKernelSetAttributeForDevice(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, 1000, 1), cudaErrorInvalidDevice);
  EXPECT_CODE(cudaKernelSetAttributeForDevice(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, -1, 0), cudaErrorInvalidValue);

  // Valid devices: only device 0 exists.
  int devices[] = {0, 1};
  CHECK(cudaSetValidDevices(devices, 1));
  CHECK(cudaSetValidDevices(nullptr, 0));
  EXPECT_CODE(cudaSetValidDevices(devices, 2), cudaErrorInvalidDevice);
  EXPECT_CODE(cudaSetValidDevices(nullptr, 1), cudaErrorInvalidValue);
  EXPECT_CODE(cudaSetValidDevices(devices, -1), cudaErrorInvalidValue);

  // Array to array: 64 bytes from (16 bytes, row 1) of a 16x4 float array to (0, row 2) of another.
  cudaChannelFormatDesc f1 = cudaCreateChannelDesc<float>();
  cudaArray_t a, b;
  CHECK(cudaMallocArray(&a, &f1, 16, 4));
  CHECK(cudaMallocArray(&b, &f1, 16, 4));
  std::vector<float> hs(64), hd(64, -1.0f), out(64);
  for (int i = 0; i < 64; ++i) hs[i] = 0.5f * i;
  CHECK(cudaMemcpy2DToArray(a, 0, 0, hs.data(), 16 * sizeof(float), 16 * sizeof(float), 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy2DToArray(b, 0, 0, hd.data(), 16 * sizeof(float), 16 * sizeof(float), 4, cudaMemcpyHostToDevice));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  CHECK(cudaMemcpyArrayToArray(b, 0, 2, a, 16, 1, 64, cudaMemcpyDeviceToDevice));
  EXPECT_CODE(cudaMemcpyArrayToArray(b, 0, 3, a, 0, 0, 128, cudaMemcpyDeviceToDevice), cudaErrorInvalidValue);
  EXPECT_CODE(cudaMemcpyArrayToArray(b, 0, 0, a, 0, 0, 16, cudaMemcpyHostToDevice), cudaErrorInvalidMemcpyDirection);
  EXPECT_CODE(cudaMemcpyArrayToArray(b, 0, 0, nullptr, 0, 0, 16, cudaMemcpyDeviceToDevice), cudaErrorInvalidResourceHandle);
#pragma GCC diagnostic pop
  CHECK(cudaMemcpy2DFromArray(out.data(), 16 * sizeof(float), b, 0, 0, 16 * sizeof(float), 4, cudaMemcpyDeviceToHost));
  std::vector<float> want = hd;
  std::memcpy(reinterpret_cast<char*>(want.data()) + 2 * 64, reinterpret_cast<const char*>(hs.data()) + 1 * 64 + 16, 64);
  EXPECT(out == want);
  CHECK(cudaFreeArray(a));
  CHECK(cudaFreeArray(b));
}

int main() {
  user_objects();
  small_queries();
  CHECK(cudaGetLastError());
  std::printf("OK\n");
  return 0;
}

// A runtime function gpusim does not implement returns an error the program can check, and the
// library names it once on stderr.
#include "check.cuh"

int main() {
  cudaGraph_t graph;
  const cudaError_t first = cudaGraphCreate(&graph, 0);
  const cudaError_t second = cudaGraphCreate(&graph, 0);
  std::printf("graph: %s %s\n", cudaGetErrorName(first), cudaGetErrorName(second));
  EXPECT(cudaGetLastError() == cudaErrorNotSupported);
  int* d;
  CHECK(cudaMalloc(&d, 16));  // the library still works
  return first == cudaErrorNotSupported && second == cudaErrorNotSupported ? 0 : 1;
}

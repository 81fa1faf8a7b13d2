// fork() after CUDA is initialised: as on a GPU, the child cannot use the parent's CUDA state
// (every call returns cudaErrorInitializationError) while the parent carries on; the child's
// exit() does not print the parent's launch report. The child reports through its exit status.
// Also exit() from a host callback ends the program with that status (EXIT_FROM_CALLBACK=N).
#include <sys/wait.h>
#include <unistd.h>

#include "check.cuh"

__global__ void add_one(int* p) { atomicAdd(p, 1); }

void CUDART_CB maybe_exit(void* value) {
  if (const char* code = std::getenv("EXIT_FROM_CALLBACK")) {
    std::printf("callback: exiting with %s after seeing %d\n", code, *static_cast<int*>(value));
    std::exit(std::atoi(code));
  }
}

int main() {
  int* d;
  int* h;
  CHECK(cudaMalloc(&d, sizeof(int)));
  CHECK(cudaMemset(d, 0, sizeof(int)));
  CHECK(cudaMallocHost(&h, sizeof(int)));
  add_one<<<1, 3>>>(d);
  CHECK(cudaMemcpyAsync(h, d, sizeof(int), cudaMemcpyDeviceToHost, 0));
  CHECK(cudaLaunchHostFunc(0, maybe_exit, h));
  CHECK(cudaDeviceSynchronize());
  EXPECT(*h == 3);
  std::fflush(stdout);

  const pid_t child = fork();
  if (child == 0) {
    void* p = nullptr;
    const cudaError_t malloc_error = cudaMalloc(&p, 16);
    add_one<<<1, 1>>>(d);
    const cudaError_t launch_error = cudaGetLastError();
    std::exit(malloc_error == cudaErrorInitializationError && launch_error == cudaErrorInitializationError ? 42 : 1);
  }
  int status = 0;
  EXPECT(waitpid(child, &status, 0) == child);
  EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 42);

  add_one<<<1, 1>>>(d);
  int v = 0;
  CHECK(cudaMemcpy(&v, d, sizeof v, cudaMemcpyDeviceToHost));
  EXPECT(v == 4);
  std::printf("fork_child: OK\n");
  return 0;
}

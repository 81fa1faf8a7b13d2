// Error reporting: CUDA's per-thread "last error", the names and descriptions of the codes, and
// the mapping from the simulator's exceptions to the code a GPU would return.
#include <cuda_runtime_api.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "runtime/diagnostic_stream.h"
#include "isa/ptx_lexer.h"
#include "runtime/cluster_launch.h"
#include "runtime/cuda_answers.h"
#include "runtime/cudart/cudart_context.h"
#include "runtime/cudart/cudart_graph.h"

namespace gpusim::cudart {

namespace {

cudaError_t& last_error() {
  thread_local cudaError_t error = cudaSuccess;  // CUDA keeps the last error per host thread
  return error;
}

struct ErrorText {
  cudaError_t code;
  const char* name;
  const char* description;
};

constexpr ErrorText kErrors[] = {
#define X(name, description) {name, #name, description},
#include "runtime/cudart/cudart_errors.def"
#undef X
};

const ErrorText* find_error(int code) {
  for (const ErrorText& e : kErrors)
    if (e.code == code) return &e;
  return nullptr;
}

int& host_callback_depth() {
  thread_local int depth = 0;  // per host thread, as the callback runs on the thread that reached it
  return depth;
}

}  // namespace

HostCallbackScope::HostCallbackScope() : saved_last_error_(last_error()) { ++host_callback_depth(); }
HostCallbackScope::~HostCallbackScope() {
  --host_callback_depth();
  last_error() = saved_last_error_;
}
bool HostCallbackScope::active() { return host_callback_depth() > 0; }

namespace {
std::atomic<uint64_t>& process_runtime_calls() {
  static std::atomic<uint64_t> calls{0};
  return calls;
}
uint64_t& thread_runtime_calls() {
  thread_local uint64_t calls = 0;
  return calls;
}
}  // namespace

void count_runtime_call() {
  ++thread_runtime_calls();
  ++process_runtime_calls();
}

uint64_t runtime_calls(bool this_thread_only) {
  return this_thread_only ? thread_runtime_calls() : process_runtime_calls().load();
}

void forget_sticky_last_error(cudaError_t sticky) {
  if (sticky != cudaSuccess && last_error() == sticky) last_error() = cudaSuccess;
}

cudaError_t set_last_error(cudaError_t code) {
  if (code != cudaSuccess) last_error() = code;
  return code;
}

cudaError_t report_forked_child(const char* function) {
  return report_failure(function, cudaErrorInitializationError,
                        "CUDA was initialised in the parent process before fork(); a child cannot use it (as on a GPU)");
}

bool lock_unless_launch_running(Context& ctx, std::unique_lock<std::recursive_mutex>& lock) {
  // The lock may be held by a short call, or by a launch still loading its module: wait for
  // those (they end soon, or the launch starts simulating), but not for a simulation.
  for (;;) {
    if (lock.try_lock()) return true;
    if (ctx.launches_running.load(std::memory_order_relaxed) > 0) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

namespace {
void print_failure(const char* function, cudaError_t code, const std::string& message) {
  const ErrorText* e = find_error(gpusim::runtime::raw_enum_value(code));
  std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: %s: %s (%s)\n", function, message.c_str(), e ? e->name : "cudaError");
}
}  // namespace

cudaError_t report_failure(const char* function, cudaError_t code, const std::string& message) {
  print_failure(function, code, message);
  return set_last_error(code);
}

bool keeps_fault_pending(const char* function) {
  static const char* const enqueue_only[] = {"cudaEventRecord", "cudaEventRecordWithFlags", "cudaEventRecord_ptsz"};
  for (const char* name : enqueue_only)
    if (std::strcmp(function, name) == 0) return true;
  return false;
}

cudaError_t error_from_current_exception(const char* function) {
  Context& ctx = context();
  try {
    throw;
  } catch (const ApiError& e) {
    if (e.said_before) return set_last_error(e.code);
    return report_failure(function, e.code, e.what());
  } catch (const graph::GraphError& e) {
    return report_failure(function, graph_failure_code(e.failure), e.what());
  } catch (const runtime::KernelFault& e) {
    // A GPU's context is lost after a kernel fault: every later call returns the same error, from
    // the program's next call that reaches the device (Context::pending_fault); the launch itself
    // returns cudaSuccess, as an asynchronous launch does. The report is printed now.
    ctx.flush_device_output();
    const auto code = static_cast<cudaError_t>(runtime::cuda_fault_error(e.kind()));
    std::string text = e.what();
    // A wait that never ends in a program with streams may be a handshake with a kernel on
    // another stream (an outside user's producer/consumer pair): on a GPU both run at once.
    if (e.kind() == isa::FaultKind::Runaway && !ctx.stream_table.streams.empty())
      text += " (the program uses streams: gpusim runs each launch to its end before the next one starts, so a "
              "kernel that waits for a kernel of another stream to write cannot finish here, where a GPU may run "
              "both at once)";
    print_failure(function, code, text);
    ctx.pending_fault = code;
    return cudaSuccess;
  } catch (const runtime::ClusterShapeError& e) {
    return report_failure(function, cudaErrorInvalidClusterSize, e.what());
  } catch (const isa::UnsupportedPtxVersion& e) {  // a library's PTX (cudaLibraryLoadData) newer than CUDA 13.0's
    return report_failure(function, cudaErrorUnsupportedPtxVersion, e.what());
  } catch (const runtime::OutOfMemory& e) {
    return report_failure(function, cudaErrorMemoryAllocation, e.what());
  } catch (const std::bad_alloc&) {
    return report_failure(function, cudaErrorMemoryAllocation, "the host ran out of memory");
  } catch (const std::exception& e) {
    return report_failure(function, cudaErrorInvalidValue, e.what());
  }
}

}  // namespace gpusim::cudart

using gpusim::cudart::find_error;
using gpusim::cudart::last_error;

extern "C" {

cudaError_t cudaGetLastError(void) {
  auto& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  if (ctx.sticky_error != cudaSuccess) return ctx.sticky_error;
  const cudaError_t e = last_error();
  last_error() = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError(void) {
  auto& ctx = gpusim::cudart::context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  if (ctx.sticky_error != cudaSuccess) return ctx.sticky_error;
  return last_error();
}

const char* cudaGetErrorName(cudaError_t error) {
  const auto* e = find_error(gpusim::runtime::raw_enum_value(error));
  return e ? e->name : "unrecognized error code";
}

const char* cudaGetErrorString(cudaError_t error) {
  const auto* e = find_error(gpusim::runtime::raw_enum_value(error));
  return e ? e->description : "unrecognized error code";
}

}  // extern "C"

// Device-side runtime functions that nvcc leaves as `.extern .func` calls without a body:
// vprintf (printf), malloc, free and __assertfail (assert). The executor (isa/exec_device_call.cpp)
// decodes each call per active lane, in lane order, and hands it to the DeviceServices of the
// launch (LaunchState::services); the runtime that owns the device implements them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "isa/exec_context.h"

namespace gpusim::isa {

class DeviceLaunchQueue;

// The thread making a call: its kernel, CTA and thread coordinates (for CUDA's assert text and
// error messages).
struct DeviceThread {
  std::string kernel;
  Dim3 ctaid{0, 0, 0};
  Dim3 tid{0, 0, 0};
};

// The arguments of one failed assert(), read from device memory (__assertfail's parameters).
struct AssertFailure {
  std::string expression;  // the assertion's text, e.g. "in[i] < limit"
  std::string file;
  uint32_t line = 0;
  std::string function;    // e.g. "void checked(const int *, int)"
};

// The line CUDA prints for a failed device assert:
// "file:line: function: block: [x,y,z], thread: [x,y,z] Assertion `expr` failed."
std::string cuda_assert_message(const DeviceThread& thread, const AssertFailure& failure);

// A request a service refuses (e.g. free of a pointer malloc never returned). The executor turns
// it into an ExecError of `kind` naming kernel, CTA, thread, PC and PTX line.
class DeviceServiceError : public std::runtime_error {
 public:
  DeviceServiceError(const std::string& what, FaultKind kind) : std::runtime_error(what), kind_(kind) {}
  FaultKind kind() const { return kind_; }

 private:
  FaultKind kind_;
};

class DeviceServices {
 public:
  virtual ~DeviceServices() = default;
  // printf: `text` is what one thread's printf produced (isa/device_printf.h formats it from the
  // format string and argument buffer in device memory).
  virtual void print(const DeviceThread& thread, const std::string& text) = 0;
  // malloc(size): a device address 16-byte aligned, or 0 when the heap cannot satisfy the request
  // (CUDA returns NULL when the heap, cudaLimitMallocHeapSize, is exhausted).
  virtual uint64_t malloc(const DeviceThread& thread, uint64_t size) = 0;
  // free(addr): addr 0 does nothing; an address malloc did not return throws DeviceServiceError.
  virtual void free(const DeviceThread& thread, uint64_t addr) = 0;
  // A thread's assert failed. Called once per failing lane, in lane order; afterwards the
  // executor stops the launch with an ExecError of kind Assert.
  virtual void assert_failed(const DeviceThread& thread, const AssertFailure& failure) = 0;
  // The running grid's device-side launch queue (dynamic parallelism, isa/device_launch_queue.h);
  // null: the runtime does not run device-side launches, and such a call is an error naming it.
  virtual DeviceLaunchQueue* launch_queue() { return nullptr; }
  // Why a fault near address 0 may be a device malloc's NULL used unchecked: how often malloc
  // returned NULL in this launch and the heap's size; empty when it never did.
  virtual std::string null_malloc_note() const { return {}; }
};

// The extern functions the executor routes to DeviceServices; any other `.extern .func` without
// a body is an error naming it.
bool is_device_runtime_function(const std::string& name);

}  // namespace gpusim::isa

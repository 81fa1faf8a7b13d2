// api_call (runtime/cudadrv/driver_state.h): the one place where C++ exceptions become CUresults.
#pragma once

#include <new>
#include <utility>

#include "runtime/interrupt_signals.h"

namespace gpusim::cudadrv {

template <typename Body>
CUresult locked_api_call(const char* call, Body&& body) {
  DriverState& s = driver_state();
  // libcudart's lock first when the device is shared (driver_state.h: one lock order).
  std::unique_lock<std::recursive_mutex> runtime_lock;
  if (std::recursive_mutex* m = s.runtime_lock.load(std::memory_order_acquire)) runtime_lock = std::unique_lock(*m);
  std::lock_guard<std::mutex> lock(s.mutex);
  // Set while the mutex is held (restored on the way out: entry points nest through libcudart).
  struct Inside {
    bool was = std::exchange(inside_driver_call(), true);
    ~Inside() { inside_driver_call() = was; }
  } inside;
  try {
    return body(s);
  } catch (const DriverFailure& f) {
    if (!f.message.empty()) report(std::string(call) + ": " + f.message);
    return f.code;
  } catch (const runtime::OutOfMemory& e) {
    report(std::string(call) + ": " + e.what());
    return CUDA_ERROR_OUT_OF_MEMORY;
  } catch (const runtime::Error& e) {  // the simulated device refused: bad pointer, size, launch
    report(std::string(call) + ": " + e.what());
    return CUDA_ERROR_INVALID_VALUE;
  } catch (const std::bad_alloc&) {
    report(std::string(call) + ": out of host memory");
    return CUDA_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    report(std::string(call) + ": internal error: " + e.what());
    return CUDA_ERROR_UNKNOWN;
  } catch (...) {
    report(std::string(call) + ": internal error");
    return CUDA_ERROR_UNKNOWN;
  }
}

template <typename Body>
CUresult api_call(const char* call, Body&& body) {
  const CUresult result = locked_api_call(call, std::forward<Body>(body));
  if (result != CUDA_SUCCESS) runtime::wait_if_another_thread_exits_for_an_interrupt();  // the locks are free here
  return result;
}

}  // namespace gpusim::cudadrv

#include "runtime/sim_device_services.h"

#include <algorithm>
#include <cstdio>

#include "isa/hex_text.h"

namespace gpusim::runtime {

namespace {

// Device malloc returns 16-byte aligned blocks; the heap is charged in those units.
constexpr uint64_t kHeapGranule = 16;

TextSink stdio_sink(FILE* stream) {
  return [stream](const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fflush(stream);
  };
}

}  // namespace

SimDeviceServices::SimDeviceServices(DeviceMemory& memory, TextSink printf_sink, TextSink assert_sink)
    : memory_(memory),
      printf_sink_(printf_sink ? std::move(printf_sink) : stdio_sink(stdout)),
      assert_sink_(assert_sink ? std::move(assert_sink) : stdio_sink(stderr)) {}

void SimDeviceServices::print(const isa::DeviceThread&, const std::string& text) {
  // CUDA's printf buffer is circular: output beyond its size overwrites the oldest records.
  // (Its records hold the format and the arguments; here they hold the formatted text.)
  printf_used_ = true;
  printed_.push_back(text);
  printed_bytes_ += text.size();
  while (printed_bytes_ > printf_fifo_size_ && !printed_.empty()) {
    printed_bytes_ -= printed_.front().size();
    overwritten_bytes_ += printed_.front().size();
    overwritten_records_ += 1;
    printed_.pop_front();
  }
}

uint64_t SimDeviceServices::malloc(const isa::DeviceThread&, uint64_t size) {
  heap_used_ = true;
  if (size == 0) return 0;
  const uint64_t charged = (size + kHeapGranule - 1) / kHeapGranule * kHeapGranule;
  auto null_result = [&] {
    ++null_mallocs_;
    largest_null_request_ = std::max(largest_null_request_, size);
    return uint64_t(0);
  };
  if (charged < size || charged > heap_size_ - heap_in_use_) return null_result();  // heap exhausted: NULL, as CUDA
  // Each block is its own allocation of the device memory, so an overrun faults at its guard gap.
  uint64_t addr = 0;
  try {
    addr = memory_.allocate(size);
  } catch (const std::exception&) {
    return null_result();  // the device memory itself is full
  }
  heap_.emplace(addr, charged);
  heap_in_use_ += charged;
  return addr;
}

void SimDeviceServices::free(const isa::DeviceThread&, uint64_t addr) {
  heap_used_ = true;
  if (addr == 0) return;
  auto it = heap_.find(addr);
  if (it == heap_.end())
    throw isa::DeviceServiceError("free(" + isa::hex_text(addr) +
                                      "): not a block returned by device-side malloc, or already freed",
                                  isa::FaultKind::IllegalAddress);
  memory_.release(addr);
  heap_in_use_ -= it->second;
  heap_.erase(it);
}

void SimDeviceServices::assert_failed(const isa::DeviceThread& thread, const isa::AssertFailure& failure) {
  asserts_.push_back(isa::cuda_assert_message(thread, failure) + "\n");
}

void SimDeviceServices::flush() {
  std::string out;
  for (const std::string& s : printed_) out += s;
  printed_.clear();
  printed_bytes_ = 0;
  std::string asserts;
  // A GPU loses them silently; a user counting lines would look for a bug of their own. The note
  // goes where assert messages go (stderr), after the output that survived.
  if (overwritten_records_)
    asserts += "gpusim: note: " + std::to_string(overwritten_records_) + " printf records (" +
               std::to_string(overwritten_bytes_) + " bytes) of this launch were overwritten by later ones: they did not "
               "fit the " + std::to_string(printf_fifo_size_) + "-byte printf buffer, which keeps the newest as a GPU's "
               "does (raise it with cudaDeviceSetLimit(cudaLimitPrintfFifoSize, BYTES) before the first launch)\n";
  overwritten_records_ = overwritten_bytes_ = 0;
  for (const std::string& s : asserts_) asserts += s;
  asserts_.clear();
  null_mallocs_ = largest_null_request_ = 0;
  if (!out.empty()) printf_sink_(out);
  if (!asserts.empty()) assert_sink_(asserts);
}

std::string SimDeviceServices::null_malloc_note() const {
  if (!null_mallocs_) return {};
  return "device malloc returned NULL " + std::to_string(null_mallocs_) + (null_mallocs_ == 1 ? " time" : " times") +
         " in this launch (largest request " + std::to_string(largest_null_request_) + " bytes; the heap, " +
         "cudaLimitMallocHeapSize, is " + std::to_string(heap_size_) + " bytes, " + std::to_string(heap_in_use_) +
         " in use): is its result used without a NULL check? (raise the heap with cudaDeviceSetLimit before the first "
         "launch)";
}

void SimDeviceServices::set_limit(DeviceLimit limit, uint64_t value) {
  switch (limit) {
    case DeviceLimit::StackSize:
      // Recorded for get_limit; the simulator's per-thread local memory grows as frames need it.
      stack_size_ = value;
      return;
    case DeviceLimit::PrintfFifoSize:
      if (value == 0) throw Error("the printf FIFO size must be greater than 0");
      // CUDA sizes the FIFO once, before the first kernel that prints (cudaErrorInvalidValue after).
      if (printf_used_) throw Error("the printf FIFO size cannot change after a kernel has used printf");
      printf_fifo_size_ = value;
      return;
    case DeviceLimit::MallocHeapSize:
      // CUDA sizes the heap once, before the first kernel that uses it (cudaErrorInvalidValue after).
      if (heap_used_) throw Error("the malloc heap size cannot change after a kernel has used device malloc or free");
      if (value < heap_in_use_)
        throw Error("malloc heap size " + std::to_string(value) + " is smaller than the " +
                    std::to_string(heap_in_use_) + " bytes kernels hold allocated");
      heap_size_ = value;
      return;
    case DeviceLimit::DevRuntimePendingLaunchCount:
      if (value == 0) throw Error("the device runtime pending launch count must be greater than 0");
      pending_launch_limit_ = value;
      return;
  }
  throw Error("unknown device limit");
}

uint64_t SimDeviceServices::get_limit(DeviceLimit limit) const {
  switch (limit) {
    case DeviceLimit::StackSize: return stack_size_;
    case DeviceLimit::PrintfFifoSize: return printf_fifo_size_;
    case DeviceLimit::MallocHeapSize: return heap_size_;
    case DeviceLimit::DevRuntimePendingLaunchCount: return pending_launch_limit_;
  }
  throw Error("unknown device limit");
}

}  // namespace gpusim::runtime

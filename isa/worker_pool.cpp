#include "isa/worker_pool.h"

#include <stdexcept>
#include <string>

namespace gpusim::isa {

namespace {
// Spins before sleeping: a timing-mode round lasts microseconds, far less than a futex wake-up,
// so waiting threads poll a while first; after that they sleep so an idle pool costs nothing.
constexpr int kSpinsBeforeSleep = 2000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// The round ticket packs the round number, its iteration count and the next iteration to hand
// out into one word, so that a thread that claims an iteration (one compare-and-swap) knows it
// belongs to the current round: a thread that woke late can never run an iteration of a round
// that has already finished, and nobody has to wait for threads that found nothing to do.
constexpr unsigned kIndexBits = 24;
constexpr uint64_t kIndexMask = (uint64_t(1) << kIndexBits) - 1;
inline uint64_t ticket(uint64_t round, uint64_t count, uint64_t next) {
  return round << (2 * kIndexBits) | count << kIndexBits | next;
}
inline uint64_t ticket_count(uint64_t t) { return t >> kIndexBits & kIndexMask; }
inline uint64_t ticket_next(uint64_t t) { return t & kIndexMask; }
}  // namespace

unsigned WorkerPool::hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

WorkerPool::WorkerPool(unsigned threads) {
  if (threads == 0) threads = hardware_threads();
  for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_main(); });
}

WorkerPool::~WorkerPool() {
  stop_.store(true, std::memory_order_release);
  ticket_.fetch_add(uint64_t(1) << (2 * kIndexBits), std::memory_order_release);
  wake_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

// Claims and runs iterations of the round `seen` belongs to; returns the last ticket seen.
uint64_t WorkerPool::work(uint64_t seen) {
  for (;;) {
    if (ticket_next(seen) >= ticket_count(seen)) return seen;
    if (!ticket_.compare_exchange_weak(seen, seen + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    call_(fn_, ticket_next(seen));
    finished_.fetch_add(1, std::memory_order_acq_rel);
    seen = ticket_.load(std::memory_order_acquire);
  }
}

void WorkerPool::run(size_t n, void* fn, Call call) {
  if (n > kIndexMask)
    throw std::invalid_argument("worker pool: " + std::to_string(n) + " iterations in one round (at most " +
                                std::to_string(kIndexMask) + ")");
  fn_ = fn;
  call_ = call;
  finished_.store(0, std::memory_order_relaxed);
  const uint64_t round = (ticket_.load(std::memory_order_relaxed) >> (2 * kIndexBits)) + 1;
  ticket_.store(ticket(round, n, 0), std::memory_order_release);  // publishes fn_ and call_
  wake_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
  work(ticket(round, n, 0));
  for (int spins = 0; finished_.load(std::memory_order_acquire) < n; ++spins) {
    if (spins < kSpinsBeforeSleep) cpu_relax();
    else std::this_thread::yield();
  }
}

void WorkerPool::worker_main() {
  uint64_t seen = ticket_.load(std::memory_order_acquire);
  for (;;) {
    // `seen` may already be the shutdown ticket (work() returns the last value it met), so
    // stop_ is checked before waiting for a change, not only after one.
    if (stop_.load(std::memory_order_acquire)) return;
    uint64_t now = ticket_.load(std::memory_order_acquire);
    for (int spins = 0; now == seen; ++spins) {
      if (stop_.load(std::memory_order_acquire)) return;
      if (spins < kSpinsBeforeSleep) {
        cpu_relax();
      } else {
        // The wake count is read before the ticket is checked again, so a round published
        // in between changes it and the wait returns at once.
        const uint32_t w = wake_.load(std::memory_order_acquire);
        if (ticket_.load(std::memory_order_acquire) == seen) wake_.wait(w, std::memory_order_acquire);
        spins = 0;
      }
      now = ticket_.load(std::memory_order_acquire);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = work(now);
  }
}

}  // namespace gpusim::isa

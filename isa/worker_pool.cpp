#include "isa/worker_pool.h"

#include "isa/signal_blocked_thread.h"

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
inline uint64_t ticket_round(uint64_t t) { return t >> (2 * kIndexBits); }
inline uint64_t ticket_count(uint64_t t) { return t >> kIndexBits & kIndexMask; }
inline uint64_t ticket_next(uint64_t t) { return t & kIndexMask; }
// An affine round publishes a ticket with no iterations of its own (count 0, so work() finds
// nothing in it); its iterations are in the blocks, each cursor packed like a ticket with the
// block's end as its count.
inline bool affine_round(uint64_t t) { return ticket_count(t) == 0; }

}  // namespace

unsigned WorkerPool::hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

WorkerPool::WorkerPool(unsigned threads) {
  if (threads == 0) threads = hardware_threads();
  blocks_ = std::make_unique<Block[]>(threads);
  for (unsigned i = 1; i < threads; ++i) workers_.push_back(start_signal_blocked_thread([this, i] { worker_main(i); }));
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

// Runs the affine round `seen` belongs to: this thread's own block, then, from the others, only
// what their home threads have not started on (a thread still asleep, or preempted): a block
// whose owner is working stays with it, so that its items' state stays in that core's caches
// (stealing from a busy owner moved SMs between cores every cycle: docs/PERFORMANCE.md).
void WorkerPool::work_affine(uint64_t seen, unsigned self) {
  const uint64_t round = ticket_round(seen);
  const unsigned n_blocks = threads();
  blocks_[self].owner_round.store(round, std::memory_order_release);
  for (unsigned k = 0; k < n_blocks; ++k) {
    const unsigned b = (self + k) % n_blocks;
    Block& block = blocks_[b];
    uint64_t c = block.cursor.load(std::memory_order_acquire);
    size_t done = 0;
    while (ticket_round(c) == round && ticket_next(c) < ticket_count(c)) {
      if (k > 0 && block.owner_round.load(std::memory_order_acquire) == round) break;
      if (!block.cursor.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      // Claimed, so the round is not over and the caller is not rewriting heads_ or first.
      const uint64_t i = ticket_next(c);
      if (heads_ && i == block.first) affine_call_(fn_, b, true);
      else affine_call_(fn_, heads_ ? i - b - 1 : i, false);  // with heads, blocks 0..b have one before i
      ++done;
      c = block.cursor.load(std::memory_order_acquire);
    }
    // Counted once per block, not per iteration: every thread adding to the shared count after
    // each of its many short iterations bounced that cache line between the cores.
    if (done) finished_.fetch_add(done, std::memory_order_acq_rel);
  }
}

uint64_t WorkerPool::next_round(size_t n) const {
  if (n > kIndexMask)
    throw std::invalid_argument("worker pool: " + std::to_string(n) + " iterations in one round (at most " +
                                std::to_string(kIndexMask) + ")");
  return ticket_round(ticket_.load(std::memory_order_relaxed)) + 1;
}

void WorkerPool::publish(uint64_t round_ticket, void* fn, Call call, AffineCall affine_call) {
  fn_ = fn;
  call_ = call;
  affine_call_ = affine_call;
  finished_.store(0, std::memory_order_relaxed);
  ticket_.store(round_ticket, std::memory_order_release);  // publishes fn_, call_ and the blocks
  wake_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
}

void WorkerPool::wait_finished(size_t n) {
  for (int spins = 0; finished_.load(std::memory_order_acquire) < n; ++spins) {
    if (spins < kSpinsBeforeSleep) cpu_relax();
    else std::this_thread::yield();
  }
}

void WorkerPool::run(size_t n, void* fn, Call call) {
  const uint64_t round = next_round(n);
  publish(ticket(round, n, 0), fn, call, nullptr);
  work(ticket(round, n, 0));
  wait_finished(n);
}

void WorkerPool::run_affine(size_t n, bool heads, void* fn, AffineCall call) {
  const unsigned n_blocks = threads();
  const size_t total = n + (heads ? n_blocks : 0);
  const uint64_t round = next_round(total);
  for (unsigned b = 0; b < n_blocks; ++b) {
    const size_t begin = affine_block_start(n, b) + (heads ? b : 0);
    const size_t end = affine_block_start(n, b + 1) + (heads ? b + 1 : 0);
    blocks_[b].first = begin;
    blocks_[b].cursor.store(ticket(round, end, begin), std::memory_order_relaxed);
  }
  heads_ = heads;
  publish(ticket(round, 0, 0), fn, nullptr, call);
  work_affine(ticket(round, 0, 0), 0);
  wait_finished(total);
}

void WorkerPool::worker_main(unsigned self) {
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
    seen = now;
    for (;;) {
      if (affine_round(seen)) {
        work_affine(seen, self);
        break;
      }
      const uint64_t last = work(seen);
      const bool met_affine_round = last != seen && affine_round(last);
      seen = last;
      if (!met_affine_round) break;  // else take part in the affine round work() ran into
    }
  }
}

}  // namespace gpusim::isa

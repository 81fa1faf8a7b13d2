// A fixed set of host threads that run the iterations of a loop together and return when all are
// done: the simulator's only parallelism (CTAs in functional mode, SMs in each timing-mode cycle).
//
// The pool decides nothing about order: callers give every iteration work whose result does not
// depend on which thread runs it or when (see docs/ARCHITECTURE.md, "Parallel simulation"), so
// the outcome is the same for every thread count. The calling thread takes part, so a pool of one
// thread starts no thread at all.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

namespace gpusim::isa {

class WorkerPool {
 public:
  // `threads` counts the calling thread; 0 means the machine's hardware threads.
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }

  // Calls fn(i) once for every i in [0, n), spread over the threads (dynamic hand-out, so uneven
  // iterations balance), and returns when every call has returned. `fn` must not throw: callers
  // keep each iteration's error and decide in a fixed order what to report.
  template <typename Fn>
  void for_each(size_t n, Fn&& fn) {
    round(n, fn);
  }

  // Like for_each, but iteration i has a home thread (the calling thread is thread 0): the
  // iterations are cut into threads() contiguous blocks of equal size (block t: [n t / T,
  // n (t+1) / T)), thread t runs block t in order and takes from another block only what that
  // block's thread has not started on (it is asleep or preempted), so a late thread holds up no
  // one for long. For loops run over and over on the same items (the SMs of every timing-mode
  // cycle): item i's state stays in one core's caches from round to round, where a dynamic
  // hand-out moves it between cores almost every round (on the 2-vCPU development VM that made
  // two threads slower than one: docs/PERFORMANCE.md, "Affine hand-out").
  template <typename Fn>
  void for_each_affine(size_t n, Fn&& fn) {
    auto no_head = [](unsigned) {};
    affine(n, fn, no_head, false);
  }
  // The same with one more task per thread: head(t) is the first iteration of block t (work that
  // belongs to no item, e.g. thread t's share of the memory channels beside its SMs), so thread t
  // runs it before its items, and another thread only as it takes the block, when thread t has not
  // started. Every head runs once per round, also when n is 0. The head and the items must not
  // depend on each other: when a block is taken, its head and its items can run at the same time.
  template <typename Fn, typename Head>
  void for_each_affine(size_t n, Fn&& fn, Head&& head) {
    affine(n, fn, head, true);
  }
  // Where thread t's block of items starts in an affine round of n items: n t / T (t = T: n).
  size_t affine_block_start(size_t n, unsigned t) const { return n * t / threads(); }

  // The machine's hardware threads (at least 1).
  static unsigned hardware_threads();

 private:
  using Call = void (*)(void*, size_t);
  // An affine round's call: item `index`, or the head of block `index` when `head`.
  using AffineCall = void (*)(void*, size_t index, bool head);
  // A round of n calls: on this thread alone when there is nothing to share, else by run with fn
  // passed as an untyped pointer and a caller for its type.
  template <typename Fn>
  void round(size_t n, Fn& fn) {
    if (n == 0) return;
    if (workers_.empty() || n == 1) {
      for (size_t i = 0; i < n; ++i) fn(i);
      return;
    }
    run(n, const_cast<void*>(static_cast<const void*>(&fn)), [](void* f, size_t i) { (*static_cast<Fn*>(f))(i); });
  }
  // An affine round of n items (and a head per block when `heads`), likewise.
  template <typename Fn, typename Head>
  void affine(size_t n, Fn& fn, Head& head, bool heads) {
    if (workers_.empty() || (!heads && n <= 1)) {
      if (heads) head(0u);
      for (size_t i = 0; i < n; ++i) fn(i);
      return;
    }
    struct Bodies {
      Fn* fn;
      Head* head;
    } bodies{&fn, &head};
    run_affine(n, heads, &bodies, [](void* b, size_t index, bool is_head) {
      Bodies& x = *static_cast<Bodies*>(b);
      if (is_head) (*x.head)(static_cast<unsigned>(index));
      else (*x.fn)(index);
    });
  }
  void run(size_t n, void* fn, Call call);
  void run_affine(size_t n, bool heads, void* fn, AffineCall call);
  uint64_t next_round(size_t n) const;  // the number of the round about to start (n checked)
  void publish(uint64_t round_ticket, void* fn, Call call, AffineCall affine_call);
  void wait_finished(size_t n);
  uint64_t work(uint64_t seen);  // runs iterations of the current round while any are left
  void work_affine(uint64_t seen, unsigned self);  // the same for an affine round, own block first
  void worker_main(unsigned self);

  // One block of an affine round. cursor: round | end | next, packed like the ticket, so that a
  // claim (one compare-and-swap) can only take an iteration of the round it belongs to; with
  // heads, the block's first iteration (`first`, written before the round is published) is its
  // head. owner_round: the last round whose block the home thread has started on (other threads
  // take from a block only before that). Own cache line: each block is mostly its home thread's.
  struct alignas(64) Block {
    std::atomic<uint64_t> cursor{0};
    std::atomic<uint64_t> owner_round{~uint64_t(0)};
    uint64_t first = 0;
  };

  std::vector<std::thread> workers_;
  // The current round's body; written by the caller before it publishes the round's ticket, and
  // not again until every iteration of the round has finished.
  void* fn_ = nullptr;
  Call call_ = nullptr;
  AffineCall affine_call_ = nullptr;
  bool heads_ = false;  // the current affine round's blocks start with a head
  std::atomic<uint64_t> ticket_{0};    // round | iteration count | next iteration (worker_pool.cpp)
  std::unique_ptr<Block[]> blocks_;    // threads() blocks, used by affine rounds
  std::atomic<size_t> finished_{0};    // iterations of the current round done
  std::atomic<bool> stop_{false};
  // Bumped whenever sleeping threads must look again (a new round, shutdown). 32 bits so that
  // waiting on it is a plain futex (libstdc++ 12's wait on 64-bit atomics can miss a wake-up).
  std::atomic<uint32_t> wake_{0};
};

}  // namespace gpusim::isa

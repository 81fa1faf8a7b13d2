// Locks and flags between the threads of one warp, which CUDA supports since Volta (independent
// thread scheduling, isa/spin_yield.h): a lane spins while another lane of its warp holds the lock
// or has yet to set the flag. On a plain reconvergence stack each of these kernels livelocks. Also
// blocks that wait for later blocks (reverse_chain), which CTAs run strictly one after another
// would never let finish.
// Every result is checked against a CPU computation of the same data; prints OK on success.
#include <cstdio>
#include <vector>

#include <cuda/semaphore>

#include "check.cuh"

// The classic lock: spin on atomicCAS until it succeeds, then the critical section and the
// release after the loop. Every thread of the grid adds to a plain (non-atomic) counter.
__global__ void global_lock(int* lock, int* counter, long long* sum) {
  const int id = blockIdx.x * blockDim.x + threadIdx.x;
  while (atomicCAS(lock, 0, 1) != 0) {
  }
  const int v = *(volatile int*)counter;
  *(volatile int*)counter = v + 1;
  *(volatile long long*)sum = *(volatile long long*)sum + id * 3 + 1;
  __threadfence();
  atomicExch(lock, 0);
}

// A hash table of linked lists with one lock per bucket: lanes of a warp meet on the same bucket.
struct Node {
  int key;
  int next;
};
__global__ void bucket_insert(const int* keys, int n, int buckets, int* locks, int* heads, Node* nodes) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int b = keys[i] % buckets;
  bool done = false;
  while (!done) {
    if (atomicCAS(&locks[b], 0, 1) == 0) {  // the pre-Volta-safe form also has to keep working
      nodes[i].key = keys[i];
      nodes[i].next = *(volatile int*)&heads[b];
      *(volatile int*)&heads[b] = i;
      __threadfence();
      atomicExch(&locks[b], 0);
      done = true;
    }
  }
}
__global__ void bucket_insert_spin(const int* keys, int n, int buckets, int* locks, int* heads, Node* nodes) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int b = keys[i] % buckets;
  while (atomicExch(&locks[b], 1) != 0) {  // test-and-set
  }
  nodes[i].key = keys[i];
  nodes[i].next = *(volatile int*)&heads[b];
  *(volatile int*)&heads[b] = i;
  __threadfence();
  atomicExch(&locks[b], 0);
}

// Producer and consumer on the two paths of one branch: odd lanes publish a value and a flag,
// even lanes wait for their neighbour's flag. Whichever path the warp runs first, the other must
// run while it waits. The flag is read with a volatile load (poll 0) or with an atomic that
// changes nothing (1: atomicAdd(p, 0), 2: atomicOr(p, 0), CUDA's coherent-read idioms, which hung
// an outside user's warp: they counted as writes, so the spin never let the other lanes run).
__global__ void neighbour_flags(int* data, int* flags, int* out, int poll) {
  const int lane = threadIdx.x % 32, base = blockIdx.x * blockDim.x + threadIdx.x - lane;
  if (lane % 2 == 0) {
    int* flag = &flags[base + lane + 1];
    while ((poll == 0 ? *(volatile int*)flag : poll == 1 ? atomicAdd(flag, 0) : atomicOr(flag, 0)) == 0) {
    }
    out[base + lane] = *(volatile int*)&data[base + lane + 1] + lane;
  } else {
    *(volatile int*)&data[base + lane] = (base + lane) * 7;
    __threadfence();
    *(volatile int*)&flags[base + lane] = 1;
    out[base + lane] = -1;
  }
}

// The lock followed by __syncwarp and a warp shuffle reduction: lanes that finished their critical
// section early must wait for the others at __syncwarp, then all 32 reduce together.
__global__ void lock_then_reduce(int* lock, int* counter, int* tickets, int* warp_sums) {
  const int id = blockIdx.x * blockDim.x + threadIdx.x;
  while (atomicCAS(lock, 0, 1) != 0) {
  }
  const int ticket = *(volatile int*)counter;
  *(volatile int*)counter = ticket + 1;
  __threadfence();
  atomicExch(lock, 0);
  __syncwarp();
  tickets[id] = ticket;
  int v = id;
  for (int off = 16; off; off /= 2) v += __shfl_xor_sync(0xffffffffu, v, off);
  if (threadIdx.x % 32 == 0) warp_sums[id / 32] = v;
}

// Thread 0 of each block waits for a flag that the last warp of its block sets, while the other
// threads of warp 0 wait at __syncthreads (cooperative groups' grid sync has this shape): the
// waiting lanes must not pass the barrier early.
__global__ void flag_then_barrier(int* flags, int* seen, int* after) {
  __shared__ int published;
  if (threadIdx.x == 0) published = 0;
  __syncthreads();
  if (threadIdx.x == 0) {
    while (*(volatile int*)&flags[blockIdx.x] == 0) {
    }
    published = 1;
  }
  if (threadIdx.x == blockDim.x - 1) {
    __threadfence();
    *(volatile int*)&flags[blockIdx.x] = 1;
  }
  __syncthreads();
  after[blockIdx.x * blockDim.x + threadIdx.x] = published;  // 1 everywhere if nobody passed early
  if (threadIdx.x == 0) seen[blockIdx.x] = 1;
}

// Blocks that wait for later blocks, as a GPU that holds the whole grid allows: block b's first
// thread spins until block b + 1 has published its partial sum, adds its own and publishes; block
// 0 ends with the total (a reverse chained scan). The order blocks finish in is recorded.
__global__ void reverse_chain(const int* values, volatile int* partial, volatile int* ready, int* finish_order,
                              int* ticket) {
  __shared__ int block_sum;
  if (threadIdx.x == 0) block_sum = 0;
  __syncthreads();
  atomicAdd(&block_sum, values[blockIdx.x * blockDim.x + threadIdx.x]);
  __syncthreads();
  if (threadIdx.x != 0) return;
  int carried = 0;
  if (blockIdx.x + 1 < gridDim.x) {
    while (ready[blockIdx.x + 1] == 0) {
    }
    carried = partial[blockIdx.x + 1];
  }
  partial[blockIdx.x] = carried + block_sum;
  __threadfence();
  ready[blockIdx.x] = 1;
  finish_order[blockIdx.x] = atomicAdd(ticket, 1);
}

// libcu++'s counting semaphore, then its binary semaphore as a mutex: lanes of one warp wait at
// two places (a permit, the lock) while the lock's holder waits at a reconvergence point below
// them. Timing mode handed the warp between the two waiting groups for ever (a silent hang).
using Permits = cuda::counting_semaphore<cuda::thread_scope_device, 4>;
using Mutex = cuda::binary_semaphore<cuda::thread_scope_device>;
__global__ void semaphore_then_mutex(Permits* permits, Mutex* mutex, int* counter, int* most_inside, int* inside) {
  permits->acquire();
  const int now = atomicAdd(inside, 1) + 1;
  atomicMax(most_inside, now);
  atomicSub(inside, 1);
  permits->release();
  mutex->acquire();
  const int v = *reinterpret_cast<volatile int*>(counter);
  *reinterpret_cast<volatile int*>(counter) = v + 1;
  __threadfence();
  mutex->release();
}

int main() {
  setvbuf(stdout, nullptr, _IONBF, 0);
  int failures = 0;
  int* lock = nullptr;
  CHECK(cudaMalloc(&lock, sizeof(int)));

  {  // global_lock: 2 blocks of 64 threads
    const int blocks = 2, threads = 64, total = blocks * threads;
    int* counter;
    long long* sum;
    CHECK(cudaMalloc(&counter, sizeof(int)));
    CHECK(cudaMalloc(&sum, sizeof(long long)));
    CHECK(cudaMemset(lock, 0, sizeof(int)));
    CHECK(cudaMemset(counter, 0, sizeof(int)));
    CHECK(cudaMemset(sum, 0, sizeof(long long)));
    global_lock<<<blocks, threads>>>(lock, counter, sum);
    CHECK(cudaDeviceSynchronize());
    int c = 0;
    long long s = 0, expect = 0;
    CHECK(cudaMemcpy(&c, counter, sizeof c, cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy(&s, sum, sizeof s, cudaMemcpyDeviceToHost));
    for (int id = 0; id < total; ++id) expect += id * 3 + 1;
    if (c != total || s != expect) {
      std::printf("global_lock: counter %d (expected %d), sum %lld (expected %lld)\n", c, total, s, expect);
      ++failures;
    }
  }

  for (int variant = 0; variant < 2; ++variant) {  // per-bucket locks, both lock forms
    const int n = 300, buckets = 7;
    std::vector<int> keys(n);
    for (int i = 0; i < n; ++i) keys[i] = (i * 37 + 11) % 1000;
    int *d_keys, *locks, *heads;
    Node* nodes;
    CHECK(cudaMalloc(&d_keys, n * sizeof(int)));
    CHECK(cudaMalloc(&locks, buckets * sizeof(int)));
    CHECK(cudaMalloc(&heads, buckets * sizeof(int)));
    CHECK(cudaMalloc(&nodes, n * sizeof(Node)));
    CHECK(cudaMemcpy(d_keys, keys.data(), n * sizeof(int), cudaMemcpyHostToDevice));
    CHECK(cudaMemset(locks, 0, buckets * sizeof(int)));
    CHECK(cudaMemset(heads, 0xff, buckets * sizeof(int)));  // -1: empty
    if (variant == 0) bucket_insert<<<(n + 127) / 128, 128>>>(d_keys, n, buckets, locks, heads, nodes);
    else bucket_insert_spin<<<(n + 127) / 128, 128>>>(d_keys, n, buckets, locks, heads, nodes);
    CHECK(cudaDeviceSynchronize());
    std::vector<int> h_heads(buckets);
    std::vector<Node> h_nodes(n);
    CHECK(cudaMemcpy(h_heads.data(), heads, buckets * sizeof(int), cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy(h_nodes.data(), nodes, n * sizeof(Node), cudaMemcpyDeviceToHost));
    std::vector<int> seen(n, 0);
    for (int b = 0; b < buckets; ++b) {
      int steps = 0;
      for (int i = h_heads[b]; i != -1 && steps <= n; i = h_nodes[i].next, ++steps) {
        if (i < 0 || i >= n || h_nodes[i].key != keys[i] || keys[i] % buckets != b) {
          std::printf("bucket variant %d: bucket %d holds a wrong node %d\n", variant, b, i);
          ++failures;
          break;
        }
        ++seen[i];
      }
    }
    for (int i = 0; i < n; ++i)
      if (seen[i] != 1) {
        std::printf("bucket variant %d: key %d is in the table %d times\n", variant, i, seen[i]);
        ++failures;
        break;
      }
  }

  for (int poll = 0; poll < 3; ++poll) {  // neighbour_flags: 2 blocks of 64
    const int total = 128;
    int *data, *flags, *out;
    CHECK(cudaMalloc(&data, total * sizeof(int)));
    CHECK(cudaMalloc(&flags, total * sizeof(int)));
    CHECK(cudaMalloc(&out, total * sizeof(int)));
    CHECK(cudaMemset(flags, 0, total * sizeof(int)));
    neighbour_flags<<<2, 64>>>(data, flags, out, poll);
    CHECK(cudaDeviceSynchronize());
    std::vector<int> h(total);
    CHECK(cudaMemcpy(h.data(), out, total * sizeof(int), cudaMemcpyDeviceToHost));
    for (int i = 0; i < total; ++i) {
      const int expect = i % 2 ? -1 : (i + 1) * 7 + i % 32;
      if (h[i] != expect) {
        std::printf("neighbour_flags (poll %d): out[%d] = %d, expected %d\n", poll, i, h[i], expect);
        ++failures;
        break;
      }
    }
  }

  {  // lock_then_reduce: 1 block of 64
    const int total = 64;
    int *counter, *tickets, *sums;
    CHECK(cudaMalloc(&counter, sizeof(int)));
    CHECK(cudaMalloc(&tickets, total * sizeof(int)));
    CHECK(cudaMalloc(&sums, total / 32 * sizeof(int)));
    CHECK(cudaMemset(lock, 0, sizeof(int)));
    CHECK(cudaMemset(counter, 0, sizeof(int)));
    lock_then_reduce<<<1, 64>>>(lock, counter, tickets, sums);
    CHECK(cudaDeviceSynchronize());
    std::vector<int> t(total), s(total / 32);
    CHECK(cudaMemcpy(t.data(), tickets, total * sizeof(int), cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy(s.data(), sums, s.size() * sizeof(int), cudaMemcpyDeviceToHost));
    std::vector<int> count(total, 0);
    for (int v : t)
      if (v >= 0 && v < total) ++count[v];
    for (int i = 0; i < total; ++i)
      if (count[i] != 1) {
        std::printf("lock_then_reduce: ticket %d handed out %d times\n", i, count[i]);
        ++failures;
        break;
      }
    for (int w = 0; w < total / 32; ++w) {
      const int expect = 32 * (32 * w) + 31 * 32 / 2;
      if (s[w] != expect) {
        std::printf("lock_then_reduce: warp %d sum %d, expected %d\n", w, s[w], expect);
        ++failures;
      }
    }
  }

  {  // flag_then_barrier: 3 blocks of 128
    const int blocks = 3, threads = 128;
    int *flags, *seen, *after;
    CHECK(cudaMalloc(&flags, blocks * sizeof(int)));
    CHECK(cudaMalloc(&seen, blocks * sizeof(int)));
    CHECK(cudaMalloc(&after, blocks * threads * sizeof(int)));
    CHECK(cudaMemset(flags, 0, blocks * sizeof(int)));
    CHECK(cudaMemset(seen, 0, blocks * sizeof(int)));
    flag_then_barrier<<<blocks, threads>>>(flags, seen, after);
    CHECK(cudaDeviceSynchronize());
    std::vector<int> a(blocks * threads), s(blocks);
    CHECK(cudaMemcpy(a.data(), after, a.size() * sizeof(int), cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy(s.data(), seen, s.size() * sizeof(int), cudaMemcpyDeviceToHost));
    for (int i = 0; i < blocks * threads; ++i)
      if (a[i] != 1) {
        std::printf("flag_then_barrier: thread %d passed the barrier before the flag was seen\n", i);
        ++failures;
        break;
      }
    for (int b = 0; b < blocks; ++b)
      if (s[b] != 1) {
        std::printf("flag_then_barrier: block %d did not finish\n", b);
        ++failures;
      }
  }

  {  // reverse_chain: 6 blocks of 64
    const int blocks = 6, threads = 64;
    std::vector<int> values(blocks * threads);
    for (int i = 0; i < blocks * threads; ++i) values[i] = (i * 7) % 23 - 5;
    int *d_values, *partial, *ready, *order, *ticket;
    CHECK(cudaMalloc(&d_values, values.size() * sizeof(int)));
    CHECK(cudaMalloc(&partial, blocks * sizeof(int)));
    CHECK(cudaMalloc(&ready, blocks * sizeof(int)));
    CHECK(cudaMalloc(&order, blocks * sizeof(int)));
    CHECK(cudaMalloc(&ticket, sizeof(int)));
    CHECK(cudaMemcpy(d_values, values.data(), values.size() * sizeof(int), cudaMemcpyHostToDevice));
    CHECK(cudaMemset(ready, 0, blocks * sizeof(int)));
    CHECK(cudaMemset(ticket, 0, sizeof(int)));
    reverse_chain<<<blocks, threads>>>(d_values, partial, ready, order, ticket);
    CHECK(cudaDeviceSynchronize());
    std::vector<int> p(blocks), o(blocks);
    CHECK(cudaMemcpy(p.data(), partial, blocks * sizeof(int), cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy(o.data(), order, blocks * sizeof(int), cudaMemcpyDeviceToHost));
    int suffix = 0;
    for (int b = blocks - 1; b >= 0; --b) {
      for (int t = 0; t < threads; ++t) suffix += values[b * threads + t];
      if (p[b] != suffix || o[b] != blocks - 1 - b) {
        std::printf("reverse_chain: block %d partial %d (expected %d), finished %d-th (expected %d)\n", b, p[b],
                    suffix, o[b], blocks - 1 - b);
        ++failures;
      }
    }
  }

  {
    const int blocks = 4, threads = 64;
    Permits* permits;
    Mutex* mutex;
    int* ints;  // counter, most inside, inside
    CHECK(cudaMalloc(&permits, sizeof(Permits)));
    CHECK(cudaMalloc(&mutex, sizeof(Mutex)));
    CHECK(cudaMalloc(&ints, 3 * sizeof(int)));
    const Permits host_permits(4);
    const Mutex host_mutex(1);
    CHECK(cudaMemcpy(permits, &host_permits, sizeof(Permits), cudaMemcpyHostToDevice));
    CHECK(cudaMemcpy(mutex, &host_mutex, sizeof(Mutex), cudaMemcpyHostToDevice));
    CHECK(cudaMemset(ints, 0, 3 * sizeof(int)));
    semaphore_then_mutex<<<blocks, threads>>>(permits, mutex, ints, ints + 1, ints + 2);
    CHECK(cudaDeviceSynchronize());
    int got[3];
    CHECK(cudaMemcpy(got, ints, sizeof got, cudaMemcpyDeviceToHost));
    if (got[0] != blocks * threads || got[1] < 1 || got[1] > 4 || got[2] != 0) {
      std::printf("semaphore_then_mutex: counter %d (expected %d), at most %d inside (1..4)\n", got[0], blocks * threads,
                  got[1]);
      ++failures;
    }
  }

  if (failures) {
    std::printf("FAILED (%d)\n", failures);
    return 1;
  }
  std::printf("OK\n");
  return 0;
}

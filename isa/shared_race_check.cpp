#include "isa/shared_race_check.h"

#include <algorithm>
#include <sstream>

#include "isa/kernel_names.h"
#include "isa/launch_state.h"
#include "isa/source_position.h"
#include "isa/warp.h"

namespace gpusim::isa {

namespace {

// Instructions whose shared accesses synchronise threads rather than carry data: atomics, and
// loads and stores with a memory order (volatile, relaxed, acquire, release; PTX's memory model
// makes them strong, so they never form a data race). Hand-made synchronisation (a flag, a
// semaphore, cooperative groups' large-tile barrier, libcu++'s cuda::barrier) is built from them:
// each such access joins the clocks of the warps that touched the same word before it.
bool synchronising(const Instruction& in) {
  switch (in.op) {
    case Opcode::Atom: case Opcode::Red: case Opcode::Mbarrier: case Opcode::CpAsyncMbarrierArrive:
      return true;
    case Opcode::Ld: case Opcode::Ldu: case Opcode::St:
      return in.mod.order != MemOrder::None && in.mod.order != MemOrder::Weak;
    default:
      return false;
  }
}

// A relaxed arithmetic read-modify-write (atomicAdd, atomicMax, atomicOr, ... without .acquire):
// it publishes what its warp did before (a hand-made barrier's arrival) but acquires nothing, so
// a warp that did its own share of a histogram's atomicAdds is not thereby ordered after the
// other warps' (an outside user's reader warp hid the textbook missing-__syncthreads() race).
// Exchanges and compare-and-swaps (locks) and ordered or volatile loads keep acquiring.
bool only_releases(const Instruction& in) {
  if (in.op != Opcode::Atom && in.op != Opcode::Red) return false;
  if (in.mod.order == MemOrder::Acquire || in.mod.order == MemOrder::AcqRel || in.mod.order == MemOrder::Sc) return false;
  return in.mod.atom != AtomOp::Cas && in.mod.atom != AtomOp::Exch;
}

// Accesses made by another agent than the issuing thread's program order (TMA and bulk copies,
// remote stores into a peer CTA): not checked.
bool unchecked(const Instruction& in) {
  switch (in.op) {
    case Opcode::RedAsync: case Opcode::StAsync: case Opcode::CpAsyncBulk: case Opcode::CpAsyncBulkTensor:
      return true;
    default:
      return false;
  }
}

const char* kind_text(RaceKind k) {
  switch (k) {
    case RaceKind::ReadAfterWrite: return "read after write";
    case RaceKind::WriteAfterRead: return "write after read";
    case RaceKind::WriteAfterWrite: return "write after write";
  }
  return "";
}

// A shared variable's name as written in the CUDA source: nvcc names a __shared__ array declared in
// a kernel after the kernel ("tile_sum(float const*, float*)::tile"); the kernel is named already.
std::string variable_name(const std::string& ptx_name) {
  const std::string readable = readable_function_name(ptx_name);
  const size_t scope = readable.rfind("::");
  return scope == std::string::npos || readable.find('(') == std::string::npos ? readable : readable.substr(scope + 2);
}

// "'tile' (byte 128 of 1024)", "dynamic shared memory (byte 12)".
std::string shared_place(const LaunchState& launch, uint64_t offset) {
  const Symbol* dynamic = nullptr;
  for (const Symbol& s : launch.module->symbols) {
    if (s.space != StateSpace::Shared) continue;
    if (s.is_extern) {
      if (!dynamic) dynamic = &s;
      continue;
    }
    if (s.owner >= 0 && &launch.module->functions[size_t(s.owner)] != launch.kernel) continue;
    if (offset >= s.offset && offset - s.offset < s.size)
      return "'" + variable_name(s.name) + "' (byte " + std::to_string(offset - s.offset) + " of " +
             std::to_string(s.size) + ")";
  }
  if (dynamic && offset >= launch.dynamic_shared_base)
    return "'" + variable_name(dynamic->name) + "' (dynamic shared memory, byte " +
           std::to_string(offset - launch.dynamic_shared_base) + ")";
  return "shared memory at offset " + std::to_string(offset);
}

std::string thread_text(const LaunchState& launch, const RaceAccess& a) {
  const unsigned linear = a.warp * 32 + a.lane;
  const Dim3& b = launch.block;
  std::ostringstream os;
  os << "thread (" << linear % b.x << "," << (linear / b.x) % b.y << "," << linear / (b.x * b.y) << ") of warp " << a.warp;
  return os.str();
}

// The CUDA source position alone when the PTX has line information, else the PTX line.
std::string source_of(const LaunchState& launch, const Instruction* in) {
  if (!in) return "";
  const std::string source = cuda_source_position(*in, *launch.module);
  return source.empty() ? "PTX line " + std::to_string(in->line) : source;
}

std::string place_text(const LaunchState& launch, const Instruction* in) {
  if (!in) return "an instruction not named (too many distinct ones)";
  const std::string source = cuda_source_position(*in, *launch.module);
  const std::string ptx = "PTX line " + std::to_string(in->line);
  return source.empty() ? ptx : source + " (" + ptx + ")";
}

}  // namespace

void SharedRaceCheck::merge(const std::map<RaceKey, RaceHazard>& cta_hazards) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, h] : cta_hazards) {
    auto [it, fresh] = hazards_.emplace(key, h);
    if (fresh) continue;
    RaceHazard& total = it->second;
    // The example of the lowest CTA, whichever host thread merged first.
    if (h.first_cta < total.first_cta) {
      const uint64_t count = total.count, ctas = total.ctas;
      total = h;
      total.count += count, total.ctas += ctas;
    } else {
      total.count += h.count, total.ctas += h.ctas;
    }
  }
}

void SharedRaceCheck::note_absent_shuffle_source(const Instruction* inst, const CtaState& cta, uint32_t warp,
                                                 uint32_t lane, uint32_t source_lane, AbsentLane why) {
  std::lock_guard<std::mutex> lock(mutex_);
  AbsentShuffleRead& r = absent_shuffles_[inst];
  ++r.count;
  if (std::tie(cta.linear_id, warp, lane) < std::tie(r.first_cta, r.warp, r.lane)) {
    r.first_cta = cta.linear_id;
    r.cta_coords = cta.ctaid;
    r.warp = warp, r.lane = lane, r.source_lane = source_lane, r.why = why;
  }
}

uint64_t SharedRaceCheck::hazards() const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t n = 0;
  for (const auto& entry : hazards_) n += entry.second.count;
  return n;
}

std::string SharedRaceCheck::absent_shuffle_report() const {
  std::ostringstream os;
  uint64_t total = 0;
  for (const auto& entry : absent_shuffles_) total += entry.second.count;
  os << "racecheck: note: kernel '" << readable_function_name(launch_.kernel->name) << "': " << total
     << " shuffle read" << (total == 1 ? "" : "s") << " of lanes that take no part, at " << absent_shuffles_.size()
     << " instruction" << (absent_shuffles_.size() == 1 ? "" : "s") << "\n";
  for (const auto& [inst, r] : absent_shuffles_) {
    os << "  " << thread_text(launch_, RaceAccess{inst, r.warp, r.lane}) << " of CTA (" << r.cta_coords.x << ","
       << r.cta_coords.y << "," << r.cta_coords.z << ") read lane " << r.source_lane << " at " << place_text(launch_, inst)
       << ", which " << (r.why == AbsentLane::OutsideBlock ? "lies outside the block (a partial last warp)"
                         : r.why == AbsentLane::Exited     ? "has exited"
                                                           : "does not execute this shuffle with it (not in its membermask, or on another path)")
       << " ("
       << r.count << " such read" << (r.count == 1 ? "" : "s") << ")\n";
  }
  os << "  (a GPU gives such a read an undefined value; gpusim gives 0 for a lane that is not there, which a sum "
        "hides. Harmless if the value is discarded, as code that tests lane + offset < n after the shuffle does; "
        "otherwise read only lanes that take part: clamp the shuffle (width), or pad the block to whole warps. Not "
        "counted as a race)\n";
  return os.str();
}

std::string SharedRaceCheck::report(uint64_t launch_index) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string shuffles = absent_shuffles_.empty() ? std::string() : absent_shuffle_report();
  if (hazards_.empty()) return shuffles;
  // Pairs of instructions from the same pair of source lines (a loop nvcc unrolled) are one entry;
  // without line information each PTX line is its own.
  struct Entry {
    RaceKind kind;
    std::string earlier, later;  // where, as printed
    RaceHazard example;
    uint64_t count = 0, ctas = 0;
  };
  std::map<std::tuple<RaceKind, std::string, std::string>, Entry> entries;
  uint64_t total = 0;
  for (const auto& [key, h] : hazards_) {
    total += h.count;
    const RaceKind kind = std::get<0>(key);
    const std::string earlier = place_text(launch_, h.earlier.inst), later = place_text(launch_, h.later.inst);
    auto [it, fresh] = entries.try_emplace({kind, source_of(launch_, h.earlier.inst), source_of(launch_, h.later.inst)},
                                           Entry{kind, earlier, later, h, 0, 0});
    Entry& e = it->second;
    if (!fresh && h.first_cta < e.example.first_cta) e.example = h, e.earlier = earlier, e.later = later;
    e.count += h.count;
    e.ctas = std::max(e.ctas, h.ctas);  // CTAs with this pair of lines: at least the most of any instruction pair
  }
  // Most frequent first; ties in the map's fixed order, so the report is deterministic.
  std::vector<const Entry*> order;
  for (const auto& entry : entries) order.push_back(&entry.second);
  std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) { return a->count > b->count; });
  // Without nvcc -lineinfo the places are PTX lines: the report says so and how to get CUDA's (an
  // outside user read "pairs of source lines" above a list of PTX lines).
  bool cuda_lines = false;
  for (const Entry* e : order)
    cuda_lines = cuda_lines || (e->example.earlier.inst && e->example.earlier.inst->source_file >= 0);
  const char* lines = cuda_lines ? " of source lines" : " of PTX lines";
  std::ostringstream os;
  os << "racecheck: kernel '" << readable_function_name(launch_.kernel->name) << "' (launch " << launch_index
     << " of it, counting from 0): " << total
     << " racing shared-memory access" << (total == 1 ? "" : "es") << " at " << order.size() << " pair"
     << (order.size() == 1 ? "" : "s") << lines << "\n";
  const size_t shown = std::min<size_t>(order.size(), 10);
  for (size_t i = 0; i < shown; ++i) {
    const Entry& e = *order[i];
    const RaceHazard& h = e.example;
    const bool earlier_writes = e.kind != RaceKind::WriteAfterRead;
    const bool later_writes = e.kind != RaceKind::ReadAfterWrite;
    os << "  " << kind_text(e.kind) << " on " << shared_place(launch_, h.offset) << ": "
       << thread_text(launch_, h.earlier) << (earlier_writes ? " wrote it" : " read it") << " at " << e.earlier
       << ", then " << thread_text(launch_, h.later) << (later_writes ? " wrote it" : " read it") << " at " << e.later
       << ", with no barrier between them (CTA (" << h.cta_coords.x << "," << h.cta_coords.y << "," << h.cta_coords.z
       << "); " << e.count << " such access" << (e.count == 1 ? "" : "es") << " in " << e.ctas << " CTA"
       << (e.ctas == 1 ? "" : "s") << ")\n";
  }
  if (order.size() > shown) os << "  ... and " << order.size() - shown << " more pairs" << lines << "\n";
  if (!cuda_lines) os << "  (the PTX carries no CUDA source lines: build with nvcc -lineinfo to see the .cu lines)\n";
  os << "  (on a GPU the two accesses of each pair may happen in either order; a __syncthreads() between them "
        "orders them)\n";
  return os.str() + shuffles;
}

SharedRaceShadow::SharedRaceShadow(CtaState& cta, std::shared_ptr<SharedRaceCheck> check)
    : cta_(cta), check_(std::move(check)), nwarps_(unsigned(cta.warps.size())) {
  clocks_.assign(size_t(nwarps_) * nwarps_, 0);
  for (unsigned w = 0; w < nwarps_; ++w) clock_of(w)[w] = 1;
}

SharedRaceShadow::~SharedRaceShadow() { flush(); }

void SharedRaceShadow::flush() {
  if (!hazards_.empty()) check_->merge(hazards_);
  hazards_.clear();
}

void SharedRaceShadow::restart() {
  flush();
  for (unsigned w = 0; w < nwarps_; ++w) {
    std::fill(clock_of(w), clock_of(w) + nwarps_, 0);
    clock_of(w)[w] = 1;
  }
  for (auto& b : barrier_clocks_) b.clear();
  cluster_clock_.clear();
  sync_clocks_.clear();
  if (touched_begin_ < touched_end_)
    std::fill(cells_.begin() + std::ptrdiff_t(touched_begin_), cells_.begin() + std::ptrdiff_t(touched_end_), Cell{});
  touched_begin_ = UINT64_MAX, touched_end_ = 0;
}

void SharedRaceShadow::join(uint32_t* into, const uint32_t* from) const {
  for (unsigned i = 0; i < nwarps_; ++i) into[i] = std::max(into[i], from[i]);
}

uint16_t SharedRaceShadow::site_of(const Instruction& in) {
  auto it = site_ids_.find(&in);
  if (it != site_ids_.end()) return it->second;
  if (sites_.size() >= 0xffff) return 0;  // too many to name: reported as "an instruction"
  const uint16_t id = uint16_t(sites_.size());
  sites_.push_back(&in);
  site_ids_.emplace(&in, id);
  return id;
}

void SharedRaceShadow::record(RaceKind kind, unsigned earlier_warp, unsigned earlier_lane, uint16_t earlier_site,
                              unsigned warp, unsigned lane, uint16_t site, uint64_t offset) {
  const RaceKey key{kind, sites_[earlier_site], sites_[site]};
  auto [it, fresh] = hazards_.emplace(key, RaceHazard{});
  RaceHazard& h = it->second;
  if (fresh) {
    h.ctas = 1;
    h.first_cta = cta_.linear_id;
    h.cta_coords = cta_.ctaid;
    h.earlier = RaceAccess{sites_[earlier_site], earlier_warp, earlier_lane};
    h.later = RaceAccess{sites_[site], warp, lane};
    h.offset = offset;
  }
  ++h.count;
}

void SharedRaceShadow::on_step(const Warp& warp, const Instruction& in, const std::vector<MemAccess>& accesses) {
  if (accesses.empty() || unchecked(in)) return;
  const unsigned w = warp.id();
  const bool strong = synchronising(in);
  const bool releases_only = only_releases(in);
  bool synchronised = false;
  if (strong) {
    for (const MemAccess& a : accesses) {
      if (a.space != StateSpace::Shared || a.addr >= cta_.shared.size()) continue;
      std::vector<uint32_t>& word = sync_clocks_[a.addr >> 2];
      if (word.empty()) word.assign(nwarps_, 0);
      if (!releases_only) join(clock_of(w), word.data());  // acquire what the word's earlier users did
      join(word.data(), clock_of(w));                      // release what this warp did
      synchronised = true;
    }
  }
  check_accesses(w, in, accesses, strong);
  if (synchronised) tick(w);  // its later accesses are not ordered before the next acquirer
}

void SharedRaceShadow::check_accesses(unsigned w, const Instruction& in, const std::vector<MemAccess>& accesses,
                                      bool strong) {
  const uint32_t now = clock_of(w)[w];
  const uint64_t shared_bytes = cta_.shared.size();
  const bool cas = in.op == Opcode::Atom && in.mod.atom == AtomOp::Cas;
  uint16_t site = 0;
  bool have_site = false;
  for (const MemAccess& a : accesses) {
    if (a.space != StateSpace::Shared || a.addr >= shared_bytes) continue;  // DSMEM: rank bits
    if (!have_site) site = site_of(in), have_site = true;
    if (cells_.size() < shared_bytes) cells_.resize(shared_bytes);
    const uint64_t end = std::min<uint64_t>(a.addr + a.size, shared_bytes);
    touched_begin_ = std::min(touched_begin_, a.addr), touched_end_ = std::max(touched_end_, end);
    // At most one hazard of each kind per lane access, at its first racing byte.
    bool raw = false, war = false, waw = false;
    for (uint64_t b = a.addr; b < end; ++b) {
      Cell& c = cells_[b];
      // A pair of strong accesses never races; a strong and a plain one may.
      // (A CAS and a plain read: the read of a CAS loop, either way round.)
      const bool write_may_race = !(strong && c.write_strong) && !(!a.write && !a.atomic && c.write_cas);
      const bool read_may_race = !(strong && c.read_strong) && !(cas && !c.read_strong);
      const bool other_read_may_race = !(strong && c.other_read_strong) && !(cas && !c.other_read_strong);
      if (a.write || a.atomic) {
        const uint8_t value = cta_.shared[b];
        // Two threads writing the same value (a flag set by every thread that finds a match) race
        // harmlessly: not reported, as compute-sanitizer's racecheck does not.
        if (!waw && write_may_race && c.write_clock && !ordered(w, c.write_warp, c.write_clock) && c.write_value != value) {
          record(RaceKind::WriteAfterWrite, c.write_warp, c.write_lane, c.write_site, w, a.lane, site, b);
          waw = true;
        }
        if (!war && read_may_race && c.read_clock && !ordered(w, c.read_warp, c.read_clock)) {
          record(RaceKind::WriteAfterRead, c.read_warp, c.read_lane, c.read_site, w, a.lane, site, b);
          war = true;
        }
        if (!war && other_read_may_race && c.other_read_clock && !ordered(w, c.other_read_warp, c.other_read_clock)) {
          record(RaceKind::WriteAfterRead, c.other_read_warp, c.other_read_lane, c.other_read_site, w, a.lane, site, b);
          war = true;
        }
        if (!strong && !waw && c.other_write_clock && !ordered(w, c.other_write_warp, c.other_write_clock)) {
          record(RaceKind::WriteAfterWrite, c.other_write_warp, c.other_write_lane, c.other_write_site, w, a.lane, site, b);
          waw = true;
        }
        // A strong write over another warp's unordered strong write: that one stays remembered too.
        if (strong && c.write_strong && !c.write_cas && c.write_clock && c.write_warp != w &&
            !ordered(w, c.write_warp, c.write_clock)) {
          c.other_write_clock = c.write_clock, c.other_write_warp = c.write_warp;
          c.other_write_lane = c.write_lane, c.other_write_site = c.write_site;
        } else if (!strong || (c.other_write_clock && ordered(w, c.other_write_warp, c.other_write_clock))) {
          c.other_write_clock = 0;  // reported above, or ordered before this write
        }
        c.write_clock = now, c.write_warp = uint8_t(w), c.write_lane = a.lane, c.write_site = site;
        c.write_value = value, c.write_strong = strong, c.write_cas = cas;
        c.read_clock = c.other_read_clock = 0;  // the reads before are ordered before this write, or were reported
      } else {
        if (!raw && write_may_race && c.write_clock && !ordered(w, c.write_warp, c.write_clock)) {
          record(RaceKind::ReadAfterWrite, c.write_warp, c.write_lane, c.write_site, w, a.lane, site, b);
          raw = true;
        }
        if (!raw && !strong && c.other_write_clock && !ordered(w, c.other_write_warp, c.other_write_clock)) {
          record(RaceKind::ReadAfterWrite, c.other_write_warp, c.other_write_lane, c.other_write_site, w, a.lane, site, b);
          raw = true;
        }
        // Two reads are remembered: the latest, whose warp is the likeliest to race with a later
        // write (a tile read by every warp, refilled by each: the last reader races with the rest),
        // and the one before it where it came from another warp and this read is not ordered after
        // it (else that one is dropped: a write ordered after this read is ordered after it too).
        if (c.read_clock && c.read_warp != w) {
          if (!ordered(w, c.read_warp, c.read_clock)) {
            c.other_read_clock = c.read_clock, c.other_read_warp = c.read_warp;
            c.other_read_lane = c.read_lane, c.other_read_site = c.read_site, c.other_read_strong = c.read_strong;
          } else if (c.other_read_clock && ordered(w, c.other_read_warp, c.other_read_clock)) {
            c.other_read_clock = 0;
          }
        }
        c.read_clock = now, c.read_warp = uint8_t(w), c.read_lane = a.lane, c.read_site = site;
        c.read_strong = strong;
      }
    }
  }
}

void SharedRaceShadow::on_barrier_arrive(unsigned id, const Warp& warp, bool waits) {
  std::vector<uint32_t>& acc = barrier_clocks_[id & 15];
  if (acc.empty()) acc.assign(nwarps_, 0);
  join(acc.data(), clock_of(warp.id()));
  if (!waits) tick(warp.id());  // bar.arrive: its later accesses are not ordered before the waiters'
}

void SharedRaceShadow::on_barrier_release(unsigned id, const std::vector<Warp*>& warps) {
  std::vector<uint32_t>& acc = barrier_clocks_[id & 15];
  if (acc.empty()) acc.assign(nwarps_, 0);
  // Warps that exited count as arrived (sm_70+): what they did is ordered before the release.
  for (unsigned w = 0; w < nwarps_; ++w)
    if (cta_.warps[w]->done()) join(acc.data(), clock_of(w));
  for (const Warp* warp : warps) {
    join(clock_of(warp->id()), acc.data());
    tick(warp->id());
  }
  acc.clear();
}

// The mbarrier's word (shared offset / 4) whether named by a shared or a generic address.
static uint64_t mbarrier_key(StateSpace space, uint64_t addr) {
  const bool generic = space == StateSpace::Generic || space == StateSpace::None;
  return (generic && addr - kSharedWindowBase < kWindowSize ? addr - kSharedWindowBase : addr) >> 2;
}

void SharedRaceShadow::on_mbarrier_arrive(StateSpace space, uint64_t addr, const Warp& warp) {
  std::vector<uint32_t>& acc = sync_clocks_[mbarrier_key(space, addr)];
  if (acc.empty()) acc.assign(nwarps_, 0);
  join(acc.data(), clock_of(warp.id()));
  tick(warp.id());
}

void SharedRaceShadow::on_mbarrier_wait(StateSpace space, uint64_t addr, const Warp& warp) {
  // Joins every arrival so far, the next phase's too: that may hide a race, never invent one.
  auto it = sync_clocks_.find(mbarrier_key(space, addr));
  if (it != sync_clocks_.end()) join(clock_of(warp.id()), it->second.data());
}

void SharedRaceShadow::on_cluster_arrive(const Warp& warp) {
  if (cluster_clock_.empty()) cluster_clock_.assign(nwarps_, 0);
  join(cluster_clock_.data(), clock_of(warp.id()));
  tick(warp.id());
}

void SharedRaceShadow::on_cluster_wait(const Warp& warp) {
  if (!cluster_clock_.empty()) join(clock_of(warp.id()), cluster_clock_.data());
}

}  // namespace gpusim::isa

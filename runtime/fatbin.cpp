// Fat binary layout (little-endian), as measured on nvcc 13.0:
//   wrapper:   +0 u32 magic 0x466243B1, +4 u32 version, +8 u64 pointer to the container
//   container: +0 u32 magic 0xBA55ED50, +4 u16 version, +6 u16 header size, +8 u64 size of the
//              entries that follow the header
//   entry:     +0 u16 kind (1 PTX, 2 ELF), +4 u32 header size (payload follows the header),
//              +8 u64 payload size (padded; the next entry follows it), +0x10 u32 compressed size
//              (0 = stored), +0x18 u16 minor, +0x1a u16 major, +0x1c u32 arch,
//              +0x28 u64 flags (0x2000 LZ4, 0x8000 zstd), +0x38 u64 uncompressed size,
//              +0x40 u32 offset and +0x44 u32 size of the ptxas options the code was built with
//              (nvcc -maxrregcount=32 -Xptxas -dlcm=cg: "-dlcm=cg  -maxrregcount=32 "), inside the
//              entry header (measured on nvcc 13.0; size 0 without options)
#include "runtime/fatbin.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace gpusim::runtime {

namespace {

constexpr uint64_t kFlagLz4 = 0x2000;
constexpr uint64_t kFlagZstd = 0x8000;
constexpr size_t kContainerHeader = 16;
constexpr size_t kEntryHeaderMin = 0x40;
// A decompressed entry larger than this is refused (a corrupt size, not a real kernel): the
// biggest PTX of a Thrust/CUB program is a few tens of MiB.
constexpr uint64_t kMaxPayload = uint64_t(1) << 30;

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string at(size_t offset) { return "fat binary: at byte " + std::to_string(offset) + ": "; }

std::string decompress(const FatbinEntry& e, const uint8_t* src, size_t src_size, uint64_t out_size, size_t offset) {
  if (out_size == 0 || out_size > kMaxPayload)
    throw FatbinError(at(offset) + e.compression + " entry claims " + std::to_string(out_size) + " bytes uncompressed");
  std::string out(out_size, '\0');
  if (e.compression == "zstd") {
    const size_t n = ZSTD_decompress(out.data(), out.size(), src, src_size);
    if (ZSTD_isError(n)) throw FatbinError(at(offset) + "zstd: " + ZSTD_getErrorName(n));
    out.resize(n);
  } else {
    if (src_size > size_t(INT32_MAX) || out_size > uint64_t(INT32_MAX))
      throw FatbinError(at(offset) + "LZ4 entry too large");
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(src), out.data(), static_cast<int>(src_size),
                                      static_cast<int>(out.size()));
    if (n < 0) throw FatbinError(at(offset) + "LZ4 data is corrupt");
    out.resize(static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Fatbin read_fatbin_container(const uint8_t* data, size_t size) {
  if (size < kContainerHeader) throw FatbinError(at(0) + "shorter than a container header");
  if (load<uint32_t>(data) != kFatbinContainerMagic) throw FatbinError(at(0) + "not a fat binary container (bad magic)");
  const uint16_t header = load<uint16_t>(data + 6);
  const uint64_t body = load<uint64_t>(data + 8);
  if (header < kContainerHeader || header > size || body > size - header)
    throw FatbinError(at(0) + "container header claims " + std::to_string(body) + " bytes, " +
                      std::to_string(size) + " available");
  Fatbin fb;
  size_t off = header;
  const size_t end = header + body;
  while (off < end) {
    if (end - off < kEntryHeaderMin) throw FatbinError(at(off) + "truncated entry header");
    const uint8_t* e = data + off;
    const uint32_t eh = load<uint32_t>(e + 4);
    const uint64_t psize = load<uint64_t>(e + 8);
    if (eh < kEntryHeaderMin || eh > end - off || psize > end - off - eh)
      throw FatbinError(at(off) + "entry header/payload sizes run past the container");
    FatbinEntry entry;
    const uint16_t kind = load<uint16_t>(e);
    entry.kind = kind == 1 ? FatbinEntry::Kind::Ptx : kind == 2 ? FatbinEntry::Kind::Elf : FatbinEntry::Kind::Other;
    entry.minor = load<uint16_t>(e + 0x18);
    entry.major = load<uint16_t>(e + 0x1a);
    entry.arch = load<uint32_t>(e + 0x1c);
    if (eh >= 0x48) {
      const uint32_t options_at = load<uint32_t>(e + 0x40), options_size = load<uint32_t>(e + 0x44);
      if (options_size > 0 && options_at <= eh && options_size <= eh - options_at) {
        entry.ptxas_options.assign(reinterpret_cast<const char*>(e + options_at), options_size);
        entry.ptxas_options.resize(std::min(entry.ptxas_options.size(), entry.ptxas_options.find('\0')));
      }
    }
    const uint64_t flags = load<uint64_t>(e + 0x28);
    const uint32_t csize = load<uint32_t>(e + 0x10);
    const uint8_t* payload = e + eh;
    if (csize && (flags & (kFlagZstd | kFlagLz4))) {
      if (csize > psize) throw FatbinError(at(off) + "compressed size exceeds the entry's payload");
      entry.compression = (flags & kFlagZstd) ? "zstd" : "lz4";
      // Only PTX is decompressed: the simulator never executes SASS, whose size alone matters.
      if (entry.kind == FatbinEntry::Kind::Ptx)
        entry.payload = decompress(entry, payload, csize, load<uint64_t>(e + 0x38), off);
    } else if (entry.kind == FatbinEntry::Kind::Ptx) {
      entry.payload.assign(reinterpret_cast<const char*>(payload), psize);
    }
    const size_t text_end = entry.payload.find('\0');
    if (text_end != std::string::npos) entry.payload.resize(text_end);
    fb.entries.push_back(std::move(entry));
    off += eh + psize;
  }
  return fb;
}

Fatbin read_fatbin_wrapper(const void* wrapper) {
  if (!wrapper) throw FatbinError("fat binary: null wrapper");
  const auto* w = static_cast<const uint8_t*>(wrapper);
  if (load<uint32_t>(w) != kFatbinWrapperMagic) throw FatbinError("fat binary: bad wrapper magic");
  const unsigned version = load<uint32_t>(w + 4);
  const auto* container = reinterpret_cast<const uint8_t*>(load<uint64_t>(w + 8));
  if (!container) throw FatbinError("fat binary: the wrapper points at no container");
  Fatbin fb = read_fatbin_container_at(container);
  fb.wrapper_version = version;
  return fb;
}

Fatbin read_fatbin_container_at(const void* at_address) {
  const auto* container = static_cast<const uint8_t*>(at_address);
  if (!container) throw FatbinError("fat binary: null container");
  // The container's header states its size; nothing beyond header + body is read.
  const uint64_t body = load<uint64_t>(container + 8);
  const uint16_t header = load<uint16_t>(container + 6);
  if (body > kMaxPayload * 4) throw FatbinError("fat binary: container claims " + std::to_string(body) + " bytes");
  return read_fatbin_container(container, header + body);
}

const FatbinEntry* Fatbin::ptx_for(unsigned arch) const {
  const FatbinEntry* best = nullptr;
  const FatbinEntry* oldest = nullptr;
  for (const FatbinEntry& e : entries) {
    if (e.kind != FatbinEntry::Kind::Ptx) continue;
    if (e.arch <= arch && (!best || e.arch > best->arch)) best = &e;
    if (!oldest || e.arch < oldest->arch) oldest = &e;
  }
  return best ? best : oldest;
}

unsigned Fatbin::sass_for(unsigned arch) const {
  unsigned best = 0;
  for (const FatbinEntry& e : entries)
    if (e.kind == FatbinEntry::Kind::Elf && e.arch / 10 == arch / 10 && e.arch <= arch) best = std::max(best, e.arch);
  return best;
}

std::string Fatbin::describe() const {
  std::string out;
  for (const FatbinEntry& e : entries) {
    if (!out.empty()) out += ", ";
    if (e.kind == FatbinEntry::Kind::Ptx) out += "compute_" + std::to_string(e.arch) + " PTX";
    else if (e.kind == FatbinEntry::Kind::Elf) out += "sm_" + std::to_string(e.arch) + " SASS";
    else out += "unknown entry (arch " + std::to_string(e.arch) + ")";
  }
  return out.empty() ? "no entries" : out;
}

unsigned max_registers_option(const std::string& options) {
  std::vector<std::string> words;
  for (size_t at = 0; at < options.size();) {
    const size_t start = options.find_first_not_of(" \t\n", at);
    if (start == std::string::npos) break;
    const size_t end = std::min(options.size(), options.find_first_of(" \t\n", start));
    words.push_back(options.substr(start, end - start));
    at = end;
  }
  unsigned limit = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string value;
    for (const char* flag : {"-maxrregcount", "--maxrregcount"}) {
      const std::string f = flag;
      if (words[i] == f && i + 1 < words.size()) value = words[i + 1];
      else if (words[i].rfind(f + "=", 0) == 0) value = words[i].substr(f.size() + 1);
    }
    if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos) continue;
    limit = unsigned(std::stoul(value));  // the last one given counts, as on a command line
  }
  return limit;
}

}  // namespace gpusim::runtime

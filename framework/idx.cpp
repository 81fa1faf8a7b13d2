#include "framework/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace gpusim::framework::data {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads up to `count` bytes; returns how many were read. Throws on a decompression error.
size_t read_bytes(gzFile file, uint8_t* dst, size_t count, const std::string& path) {
  size_t done = 0;
  while (done < count) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(count - done, 1u << 30));
    const int n = gzread(file, dst + done, chunk);
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(file, &code);
      throw DataError("idx: '" + path + "': corrupt compressed data (" + (msg ? msg : "unknown zlib error") + ")");
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw DataError("idx: cannot open '" + path + "' (missing file or no permission)");

  uint8_t header[4];
  if (read_bytes(file.get(), header, 4, path) != 4)
    throw DataError("idx: '" + path + "' is truncated: shorter than the 4-byte magic number");
  if (header[0] != 0 || header[1] != 0)
    throw DataError("idx: '" + path + "' has a bad magic number (first two bytes must be zero): not an IDX file");
  if (header[2] != 0x08)
  {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", header[2]);
    throw DataError("idx: '" + path + "' has element type " + type + "; only unsigned bytes (0x08) are supported");
  }
  const unsigned ndims = header[3];
  if (ndims == 0) throw DataError("idx: '" + path + "' declares zero dimensions");

  IdxArray out;
  // Checked after every factor, so that dimensions whose product overflows 64 bits cannot wrap
  // to a small total (the largest real file holds 47 MB).
  constexpr uint64_t kMaxElements = uint64_t{1} << 32;
  uint64_t total = 1;
  for (unsigned d = 0; d < ndims; ++d) {
    uint8_t be[4];
    if (read_bytes(file.get(), be, 4, path) != 4)
      throw DataError("idx: '" + path + "' is truncated in the header (dimension " + std::to_string(d) + " of " +
                      std::to_string(ndims) + ")");
    const uint32_t size = (uint32_t{be[0]} << 24) | (uint32_t{be[1]} << 16) | (uint32_t{be[2]} << 8) | be[3];
    out.dims.push_back(size);
    total *= size;  // both factors are at most 2^32: no wrap
    if (total > kMaxElements)
      throw DataError("idx: '" + path + "' declares more than " + std::to_string(kMaxElements) +
                      " elements (dimensions " + std::to_string(d + 1) + " of " + std::to_string(ndims) +
                      " already multiply to " + std::to_string(total) + "): corrupt header");
  }
  // Grown as data arrives: a truncated file with a huge header costs only what it holds.
  // Chunks double from 64 KiB up to 16 MiB: small files stay cheap, large ones take few steps.
  constexpr uint64_t kMinChunk = uint64_t{64} << 10, kMaxChunk = uint64_t{16} << 20;
  uint64_t got = 0;
  while (got < total) {
    const uint64_t want = std::min({std::clamp(got, kMinChunk, kMaxChunk), total - got});
    out.values.resize(got + want);
    const size_t n = read_bytes(file.get(), out.values.data() + got, want, path);
    got += n;
    if (n < want) break;
  }
  out.values.resize(got);
  if (got != total)
    throw DataError("idx: '" + path + "' is truncated: header declares " + std::to_string(total) +
                    " data bytes, file holds " + std::to_string(got));
  uint8_t extra;
  if (read_bytes(file.get(), &extra, 1, path) != 0)
    throw DataError("idx: '" + path + "' has trailing bytes after the " + std::to_string(total) + " declared");
  return out;
}

}  // namespace gpusim::framework::data

#include "isa/tensor_im2col.h"

namespace gpusim::isa::tmap {

std::vector<ElementSource> im2col_sources(const TensorMap& m, const std::array<int64_t, kMaxRank>& coords,
                                          const std::array<int32_t, kMaxRank - 2>& offsets) {
  const unsigned spatial = m.rank - 2, batch = m.rank - 1;
  std::vector<ElementSource> out;
  out.reserve(m.box_elements());
  std::array<int64_t, kMaxRank> pos = coords;  // traversal position; pos[0] unused
  for (uint32_t pixel = 0; pixel < m.pixels_per_column; ++pixel) {
    // The pixel read: the traversal position shifted by the filter tap, in the batch pos[batch].
    bool pixel_inside = pos[batch] >= 0 && uint64_t(pos[batch]) < m.dims[batch];
    uint64_t base = m.global_address + (pixel_inside ? uint64_t(pos[batch]) * m.strides[batch] : 0);
    for (unsigned s = 0; s < spatial; ++s) {
      const int64_t at = pos[s + 1] + offsets[s];
      if (at < 0 || uint64_t(at) >= m.dims[s + 1]) pixel_inside = false;
      else base += uint64_t(at) * m.strides[s + 1];
    }
    for (uint32_t c = 0; c < m.channels_per_pixel; ++c) {
      const int64_t channel = coords[0] + int64_t(c);
      const bool inside = pixel_inside && channel >= 0 && uint64_t(channel) < m.dims[0];
      out.push_back({inside, inside ? base + uint64_t(channel) * m.elem_bytes : 0});
    }
    // Next pixel: W steps by its element stride; past the box's upper corner it wraps to the
    // lower corner and the next dimension steps (the batch last, unbounded: past N is OOB).
    for (unsigned d = 1; d <= batch; ++d) {
      pos[d] += m.element_strides[d];
      if (d == batch) break;
      const int64_t upper = int64_t(m.dims[d]) - 1 + m.upper_corner[d - 1];
      if (pos[d] <= upper) break;
      pos[d] = m.lower_corner[d - 1];
    }
  }
  return out;
}

}  // namespace gpusim::isa::tmap

// The roofline model of one GPU configuration (`gpusim roofline`): its compute and memory roofs,
// where each simulated (or recorded) kernel sits under them, and the plot as SVG and as a table.
#pragma once

#include <string>
#include <vector>

#include "sim/gpu_config.h"

namespace gpusim::cli {

// A horizontal (compute, FLOP/s) or diagonal (memory, bytes/s) roof.
struct Roof {
  std::string name;
  double per_second = 0;
  bool compute = false;
};

// The configuration's roofs: FP32, FP64 and TensorCore FLOP/s from sim::compute_peaks; DRAM
// (derated by dram.efficiency_pct, the rate the timing model's channels sustain), L2, L1 and
// shared-memory bandwidth.
std::vector<Roof> roofs_of(const sim::GpuConfig& config);

// One kernel launch: its FLOPs by unit, the DRAM bytes it moved, and how long it took.
struct KernelPoint {
  std::string label;
  std::string config;  // the configuration it was simulated on (empty: not known, e.g. measured)
  std::string config_fingerprint;  // of its values (sim/config_fingerprint.h); empty: not recorded
  double fp32_flops = 0, fp64_flops = 0, tensor_flops = 0;
  double dram_bytes = 0;
  double seconds = 0;
  // The timing model's bound class of the launch ("latency", "memory", ...: the stats' "bound"),
  // shown beside the roofline's own: a kernel of integer work without DRAM traffic sits under the
  // FP32 roof at a fraction of a percent, which says nothing (empty: not known, e.g. measured).
  std::string model_bound;
  double flops() const { return fp32_flops + fp64_flops + tensor_flops; }
};

// Where a point sits: arithmetic intensity = FLOPs / DRAM bytes, achieved = FLOPs / seconds.
// The bounding roof is min(compute roof of the unit doing most of its FLOPs, AI x DRAM); the point
// is memory-bound when its AI is below that compute roof's ridge point with DRAM.
struct PointPlacement {
  double intensity = 0;        // FLOP/byte; +inf without DRAM traffic
  double achieved = 0;         // FLOP/s
  std::string compute_roof;    // name of the relevant compute roof
  double bound = 0;            // FLOP/s the roofline allows at this intensity
  bool memory_bound = false;
  bool no_work = false;        // no FLOPs and no DRAM bytes: the intensity is 0/0, no roof applies
  // FLOPs but no DRAM bytes: the caches served all its data (inputs a copy left in the L2), so the
  // DRAM roofline says nothing about it; an infinite intensity read "compute-bound" for a vector add.
  bool no_dram = false;
  // Coordinates drawable on log-log axes: positive and within 1e-30..1e30 (no GPU comes near
  // either end; a --stats file that does is corrupt, and its decades would overflow the axes).
  bool placeable() const;
};
PointPlacement place(const std::vector<Roof>& roofs, const KernelPoint& point);
// "memory (DRAM)", "compute (FP32)", or, for a kernel with neither FLOPs nor DRAM bytes (a copy
// served by the L2, a kernel of integer work), "none (no FLOPs, no DRAM bytes)", and for one with
// FLOPs whose data the caches served, "none (no DRAM bytes: ...)".
std::string bound_label(const PointPlacement& at);

// The text table: the roofs, then per kernel FLOPs, bytes, AI, achieved GFLOP/s, % of the bounding
// roof and which bound applies.
std::string roofline_table(const std::vector<Roof>& roofs, const std::vector<KernelPoint>& points);

// A self-contained SVG document: log-log axes with decade ticks, each roof a labelled line, each
// placeable kernel a labelled marker; kernels that cannot be placed are listed under the plot.
std::string roofline_svg(const std::string& title, const std::vector<Roof>& roofs,
                         const std::vector<KernelPoint>& points);

// Text made safe for XML character data and attribute values.
std::string xml_escape(const std::string& text);

}  // namespace gpusim::cli

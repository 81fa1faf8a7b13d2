// tex, tld4, txq (texture objects) and suld.b, sust.b, suq (surface objects).
//
//   tex.2d.v4.f32.f32 {r, g, b, a}, [handle, {x, y}];     tld4.r.2d.v4.f32.f32 {..}, [handle, {x, y}];
//   suld.b.2d.v4.b32.trap {..}, [handle, {xbytes, y}];      sust.b.2d.b32.clamp [handle, {xbytes, y}], {v};
//   txq.width.b32 %r, [handle];
//
// The handle is the device address of the object's descriptor (isa/texture_descriptor.h); the
// sampling rules are isa/texture_sampling.h's. Texels (and surface elements) are read and
// written with ordinary global-memory accesses, so the timing model sees a texture fetch as the
// global loads of the texels it touches, through L1 (there is no separate texture cache model).
// Coordinates per geometry: .1d {x}, .2d {x, y}, .3d {x, y, z, _}, .a1d {layer, x},
// .a2d {layer, x, y, _}. Cube maps, multisample textures and mipmaps are not supported: .level
// and .grad fetch level 0, the only level of a CUDA array.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "isa/exec_context.h"
#include "isa/exec_texture.h"
#include "isa/hex_text.h"
#include "isa/launch_state.h"
#include "isa/texture_sampling.h"

namespace gpusim::isa {

namespace {

const char* geom_name(uint8_t g) {
  static const char* names[] = {"?", ".1d", ".2d", ".3d", ".a1d", ".a2d", ".cube", ".acube", ".2dms", ".a2dms"};
  return g < 10 ? names[g] : "?";
}

// The descriptor a lane's handle names; faults naming the handle when it names none.
tex::Descriptor load_descriptor(ExecContext& ctx, const Instruction& in, unsigned lane, bool surface) {
  const Operand& addr = in.ops[in.op == Opcode::Sust ? 0 : 1];
  if (addr.sym != kNoSymbol)
    ctx.fail(lane, std::string(opcode_name(in.op)) + " through a texture/surface reference (a .global .texref/.surfref) is not "
                   "supported; use texture and surface objects",
             FaultKind::Unsupported);
  const uint64_t handle = ctx.address(addr, lane);
  uint8_t bytes[tex::kBytes];
  const char* what = surface ? "surface" : "texture";
  auto d = handle && ctx.launch().global->read(handle, bytes, tex::kBytes) ? tex::decode(bytes) : std::nullopt;
  if (!d)
    ctx.fail(lane, std::string(opcode_name(in.op)) + ": " + hex_text(handle) + " is not a " + what +
                       " object handle (never created, or destroyed)", FaultKind::IllegalAddress);
  if (d->is_surface() != surface)
    ctx.fail(lane, std::string(opcode_name(in.op)) + ": handle " + hex_text(handle) + " is a " +
                       (d->is_surface() ? "surface" : "texture") + " object, not a " + what + " object");
  return *d;
}

// Checks the instruction's geometry against the object and returns the index of the first
// spatial coordinate in the coordinate vector (1 for layered geometries, whose first is the layer).
unsigned check_geometry(ExecContext& ctx, const Instruction& in, const tex::Descriptor& d, unsigned lane) {
  const uint8_t g = in.mod.tex_geom;
  if (g >= tex::GeomCube)
    ctx.fail(lane, std::string(opcode_name(in.op)) + geom_name(g) + " (cube and multisample textures) is not supported",
             FaultKind::Unsupported);
  const bool layered = g == tex::GeomA1d || g == tex::GeomA2d;
  const unsigned dims = g == tex::Geom3d ? 3 : (g == tex::Geom2d || g == tex::GeomA2d) ? 2 : 1;
  if (dims != d.dims || layered != bool(d.layered))
    ctx.fail(lane, std::string(opcode_name(in.op)) + geom_name(g) + " on a " + (d.layered ? "layered " : "") +
                       std::to_string(d.dims) + "-D object");
  const unsigned needed = (layered ? 1 : 0) + dims;
  const Operand& addr = in.ops[in.op == Opcode::Sust ? 0 : 1];
  if (addr.count < needed)
    ctx.fail(lane, std::string(opcode_name(in.op)) + geom_name(g) + " needs " + std::to_string(needed) +
                       " coordinates, the instruction gives " + std::to_string(addr.count));
  return layered ? 1 : 0;
}

class LaneReader : public tex::TexelReader {
 public:
  LaneReader(ExecContext& ctx, unsigned lane) : ctx_(ctx), lane_(lane) {}
  void read(uint64_t addr, void* out, unsigned size) override { ctx_.load(StateSpace::Global, addr, out, size, lane_); }

 private:
  ExecContext& ctx_;
  unsigned lane_;
};

tex::Coords read_coords(ExecContext& ctx, const Instruction& in, unsigned first, unsigned dims, unsigned lane) {
  const Operand& addr = in.ops[1];
  tex::Coords c;
  c.integer = in.mod.types[1] == DataType::S32;
  if (first) c.layer = uint32_t(ctx.get(ctx.elem(addr, 0), lane));
  for (unsigned a = 0; a < dims; ++a) {
    const uint32_t bits = uint32_t(ctx.get(ctx.elem(addr, first + a), lane));
    c.i[a] = int32_t(bits);
    std::memcpy(&c.f[a], &bits, 4);
  }
  return c;
}

void write_result(ExecContext& ctx, const Instruction& in, const tex::Result& r, unsigned lane) {
  const Operand& dst = in.ops[0];
  if (dst.kind == OperandKind::Reg) return ctx.set(dst, lane, r[0]);
  for (unsigned k = 0; k < dst.count && k < 4; ++k) ctx.set(ctx.elem(dst, k), lane, r[k]);
}

void check_result_types(ExecContext& ctx, const Instruction& in) {
  const DataType d = in.mod.types[0], c = in.mod.types[1];
  if (d != DataType::F32 && d != DataType::S32 && d != DataType::U32)
    ctx.fail_warp(std::string(opcode_name(in.op)) + " results of type ." + type_name(d) +
                      " are not supported (only .f32, .s32, .u32)", FaultKind::Unsupported);
  if (c != DataType::F32 && c != DataType::S32)
    ctx.fail_warp(std::string(opcode_name(in.op)) + " coordinates are .f32 or .s32, not ." + type_name(c));
}

// The bytes a suld/sust moves: vec elements of the instruction's type.
unsigned surface_access_bytes(const Instruction& in) { return in.mod.vec * type_bits(in.mod.types[0]) / 8; }

// The address of a surface access, or 0 when .zero drops it. x is in bytes.
uint64_t surface_address(ExecContext& ctx, const Instruction& in, const tex::Descriptor& d, unsigned lane) {
  const unsigned first = check_geometry(ctx, in, d, lane);
  const Operand& addr = in.ops[in.op == Opcode::Sust ? 0 : 1];
  const unsigned size = surface_access_bytes(in);
  int64_t c[3] = {0, 0, 0};
  for (unsigned a = 0; a < d.dims; ++a) c[a] = int32_t(uint32_t(ctx.get(ctx.elem(addr, first + a), lane)));
  int64_t layer = first ? int64_t(uint32_t(ctx.get(ctx.elem(addr, 0), lane))) : 0;
  const int64_t limit[3] = {int64_t(d.width * d.texel_bytes()) - size, int64_t(d.height) - 1, int64_t(d.depth) - 1};
  bool inside = layer < int64_t(d.layers);
  for (unsigned a = 0; a < d.dims; ++a) inside = inside && c[a] >= 0 && c[a] <= limit[a];
  if (!inside) {
    switch (in.mod.tex_sel) {
      case tex::SurfZero: return 0;
      case tex::SurfClamp:
        for (unsigned a = 0; a < d.dims; ++a) c[a] = std::clamp<int64_t>(c[a], 0, std::max<int64_t>(limit[a], 0));
        c[0] -= c[0] % size;
        layer = std::min<int64_t>(layer, int64_t(d.layers) - 1);
        break;
      default:
        ctx.fail(lane, std::string(opcode_name(in.op)) + ".trap: coordinates (" + std::to_string(c[0]) + " bytes, " +
                           std::to_string(c[1]) + ", " + std::to_string(c[2]) + ", layer " + std::to_string(layer) +
                           ") outside the " + std::to_string(d.width) + "x" + std::to_string(d.height) + "x" +
                           std::to_string(d.depth) + " surface",
                 FaultKind::IllegalAddress);
    }
  }
  if (c[0] % size)
    ctx.fail(lane, std::string(opcode_name(in.op)) + ": x = " + std::to_string(c[0]) + " bytes is not a multiple of the " +
                       std::to_string(size) + "-byte access", FaultKind::MisalignedAddress);
  return d.base + uint64_t(layer) * d.slice_pitch + uint64_t(c[2]) * d.slice_pitch * (d.dims == 3) +
         uint64_t(c[1]) * d.pitch + uint64_t(c[0]);
}

uint64_t query(ExecContext& ctx, const Instruction& in, const tex::Descriptor& d, unsigned lane) {
  switch (in.mod.tex_sel) {
    case tex::QWidth: return d.width;
    case tex::QHeight: return d.height;
    case tex::QDepth: return d.depth;
    case tex::QArraySize: return d.layered ? d.layers : 0;
    case tex::QNormalizedCoords: return d.normalized_coords;
    case tex::QFilterMode: return uint64_t(d.filter);
    case tex::QAddrMode0: case tex::QAddrMode1: case tex::QAddrMode2:
      return uint64_t(d.address[in.mod.tex_sel - tex::QAddrMode0]);
    case tex::QNumMipmapLevels: return 1;
    case tex::QNumSamples: return 0;
    default:
      ctx.fail(lane, std::string(opcode_name(in.op)) + ": this query (channel data type/order, forced "
                     "unnormalized coordinates) is not supported", FaultKind::Unsupported);
  }
}

}  // namespace

void exec_Tex(ExecContext& ctx, const Instruction& in) {
  check_result_types(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const tex::Descriptor d = load_descriptor(ctx, in, lane, false);
    const unsigned first = check_geometry(ctx, in, d, lane);
    LaneReader reader(ctx, lane);
    write_result(ctx, in, tex::sample(d, read_coords(ctx, in, first, d.dims, lane), reader), lane);
  });
}

void exec_Tld4(ExecContext& ctx, const Instruction& in) {
  check_result_types(ctx, in);
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const tex::Descriptor d = load_descriptor(ctx, in, lane, false);
    const unsigned first = check_geometry(ctx, in, d, lane);
    if (d.dims != 2) ctx.fail(lane, "tld4 gathers from 2-D textures only");
    tex::Coords c = read_coords(ctx, in, first, 2, lane);
    if (c.integer) ctx.fail(lane, "tld4 takes .f32 coordinates");
    LaneReader reader(ctx, lane);
    write_result(ctx, in, tex::gather(d, c, in.mod.tex_sel, reader), lane);
  });
}

void exec_Txq(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned lane) {
    ctx.set(in.ops[0], lane, query(ctx, in, load_descriptor(ctx, in, lane, false), lane));
  });
}

void exec_Suq(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned lane) {
    ctx.set(in.ops[0], lane, query(ctx, in, load_descriptor(ctx, in, lane, true), lane));
  });
}

void exec_Suld(ExecContext& ctx, const Instruction& in) {
  const unsigned size = surface_access_bytes(in), elem = type_bits(in.mod.types[0]) / 8;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const tex::Descriptor d = load_descriptor(ctx, in, lane, true);
    uint8_t buf[32] = {};
    if (const uint64_t addr = surface_address(ctx, in, d, lane)) ctx.load(StateSpace::Global, addr, buf, size, lane);
    const Operand& dst = in.ops[0];
    for (unsigned k = 0; k < in.mod.vec; ++k) {
      uint64_t v = 0;
      std::memcpy(&v, buf + k * elem, elem);
      ctx.set(dst.kind == OperandKind::Vector ? ctx.elem(dst, k) : dst, lane, v);
    }
  });
}

void exec_Sust(ExecContext& ctx, const Instruction& in) {
  const unsigned size = surface_access_bytes(in), elem = type_bits(in.mod.types[0]) / 8;
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const tex::Descriptor d = load_descriptor(ctx, in, lane, true);
    const uint64_t addr = surface_address(ctx, in, d, lane);
    if (!addr) return;
    uint8_t buf[32] = {};
    const Operand& src = in.ops[1];
    for (unsigned k = 0; k < in.mod.vec; ++k) {
      const uint64_t v = ctx.get(src.kind == OperandKind::Vector ? ctx.elem(src, k) : src, lane);
      std::memcpy(buf + k * elem, &v, elem);
    }
    ctx.store(StateSpace::Global, addr, buf, size, lane);
  });
}

}  // namespace gpusim::isa

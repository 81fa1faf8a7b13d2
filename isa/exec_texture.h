// Values of Modifiers::tex_geom / tex_sel for the texture and surface instructions (the parser's
// lexicon, isa/ptx_modifiers.cpp, produces them; isa/exec_texture.cpp reads them).
#pragma once

#include <cstdint>

namespace gpusim::isa::tex {

enum TexGeom : uint8_t { Geom1d = 1, Geom2d, Geom3d, GeomA1d, GeomA2d, GeomCube, GeomACube, Geom2dms, GeomA2dms };
enum SurfaceMode : uint8_t { SurfTrap = 0, SurfClamp = 1, SurfZero = 2 };
enum Query : uint8_t {
  QWidth, QHeight, QDepth, QChannelDataType, QChannelOrder, QNormalizedCoords, QFilterMode, QAddrMode0,
  QAddrMode1, QAddrMode2, QArraySize, QNumMipmapLevels, QNumSamples, QForceUnnormalizedCoords
};

}  // namespace gpusim::isa::tex

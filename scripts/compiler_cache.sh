# Sourced by scripts/build.sh and scripts/tsan.sh: ccache, where installed, makes rebuilds in fresh
# trees cheap (the build does not need it); the precompiled headers (CMakeLists.txt) are cached
# only with these sloppiness settings.
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros}
fi

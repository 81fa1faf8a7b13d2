// ptxas as an independent reference for tests: the cubin it makes of a PTX text, and the SASS
// (.text sections) in it. Used where gpusim mirrors what ptxas does to the code (the sequences it
// expands an instruction into, the multiply-adds it contracts). Tests skip where the toolkit's
// ptxas is not installed.
#pragma once

#include <gtest/gtest.h>
#include <elf.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace gpusim::test_support {

inline std::string ptxas_path() {
  for (const char* candidate : {"/usr/local/cuda/bin/ptxas", "/usr/bin/ptxas"})
    if (access(candidate, X_OK) == 0) return candidate;
  return "";
}

// The cubin ptxas makes of `ptx` for `arch` ("sm_90"), with `flags`; empty when ptxas failed.
inline std::string ptxas_cubin(const std::string& ptxas, const std::string& ptx, const std::string& arch = "sm_90",
                               const std::string& flags = "-O3") {
  const std::string stem = ::testing::TempDir() + "gpusim_ptxas_" + std::to_string(getpid());
  const std::string src = stem + ".ptx", cubin = stem + ".cubin";
  std::ofstream(src) << ptx;
  const int rc = std::system((ptxas + " -arch=" + arch + " " + flags + " '" + src + "' -o '" + cubin + "' 2>/dev/null").c_str());
  std::ifstream in(cubin, std::ios::binary);
  const std::string elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(src.c_str());
  std::remove(cubin.c_str());
  return rc == 0 ? elf : std::string();
}

// The cubin's .text sections (SASS: 16 bytes an instruction), concatenated; nothing when the ELF
// is malformed.
inline std::string cubin_text_sections(const std::string& elf) {
  if (elf.size() < sizeof(Elf64_Ehdr)) return {};
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(elf.data());
  if (eh->e_shoff + uint64_t(eh->e_shnum) * sizeof(Elf64_Shdr) > elf.size() || eh->e_shstrndx >= eh->e_shnum) return {};
  const auto* sections = reinterpret_cast<const Elf64_Shdr*>(elf.data() + eh->e_shoff);
  const Elf64_Shdr& names = sections[eh->e_shstrndx];
  std::string text;
  for (int i = 0; i < eh->e_shnum; ++i) {
    const uint64_t at = names.sh_offset + sections[i].sh_name;
    if (at >= elf.size()) return {};
    if (std::string(elf.c_str() + at).rfind(".text.", 0) != 0) continue;
    if (sections[i].sh_offset + sections[i].sh_size > elf.size()) return {};
    text.append(elf, sections[i].sh_offset, sections[i].sh_size);
  }
  return text;
}

}  // namespace gpusim::test_support

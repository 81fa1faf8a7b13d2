#include "tools/program_inspect.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "runtime/elf_function_symbols.h"
#include "runtime/fatbin.h"

namespace gpusim::cli {

namespace {

template <typename T>
T read_at(const std::string& data, uint64_t offset, const std::string& path) {
  if (offset > data.size() || sizeof(T) > data.size() - offset)
    throw std::runtime_error(path + ": truncated ELF file (offset " + std::to_string(offset) + ")");
  T v;
  std::memcpy(&v, data.data() + offset, sizeof v);
  return v;
}

std::string c_string_at(const std::string& data, uint64_t offset) {
  if (offset >= data.size()) return "";
  const size_t end = data.find('\0', offset);
  return data.substr(offset, (end == std::string::npos ? data.size() : end) - offset);
}

// Whether the containers nvcc placed one after another in a .nv_fatbin section hold a kernel.
bool fatbin_section_has_kernels(const std::string& data, uint64_t offset, uint64_t size) {
  if (offset > data.size() || size > data.size() - offset) return true;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data()) + offset;
  uint64_t at = 0;
  try {
    while (at + 16 <= size) {
      uint32_t magic = 0;
      std::memcpy(&magic, bytes + at, sizeof magic);
      if (magic != runtime::kFatbinContainerMagic) {
        at += 8;  // containers are 8-byte aligned; zeros may pad between them
        continue;
      }
      uint64_t entries = 0;
      std::memcpy(&entries, bytes + at + 8, sizeof entries);
      if (entries > size - at - 16) return true;
      const runtime::Fatbin fatbin = runtime::read_fatbin_container(bytes + at, 16 + entries);
      for (const runtime::FatbinEntry& e : fatbin.entries) {
        if (e.kind == runtime::FatbinEntry::Kind::Ptx && e.payload.find(".entry") != std::string::npos) return true;
        if (e.kind == runtime::FatbinEntry::Kind::Elf && e.payload.find(".text.") != std::string::npos) return true;
        if (e.kind == runtime::FatbinEntry::Kind::Other) return true;
      }
      at += 16 + entries;
    }
  } catch (const std::exception&) {
    return true;
  }
  return false;
}

}  // namespace

bool ProgramLinkage::uses_shared_cudart() const {
  for (const std::string& n : needed)
    if (n.rfind("libcudart.so", 0) == 0) return true;
  return false;
}

ProgramLinkage inspect_program(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot be read");
  const std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ProgramLinkage out;
  if (data.size() < sizeof(Elf64_Ehdr) || std::memcmp(data.data(), ELFMAG, SELFMAG) != 0) return out;
  if (static_cast<unsigned char>(data[EI_CLASS]) != ELFCLASS64) throw std::runtime_error(path + ": not a 64-bit ELF program");
  out.is_elf = true;
  const auto eh = read_at<Elf64_Ehdr>(data, 0, path);
  if (eh.e_phentsize == sizeof(Elf64_Phdr))
    for (unsigned i = 0; i < eh.e_phnum; ++i)
      out.has_loader |= read_at<Elf64_Phdr>(data, eh.e_phoff + uint64_t(i) * sizeof(Elf64_Phdr), path).p_type == PT_INTERP;
  // Sections: find .nv_fatbin (device code) and the dynamic section with its string table.
  uint64_t dynamic_off = 0, dynamic_size = 0, dynstr_off = 0;
  if (eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum > 0) {
    const auto names = read_at<Elf64_Shdr>(data, eh.e_shoff + uint64_t(eh.e_shstrndx) * sizeof(Elf64_Shdr), path);
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
      const auto sh = read_at<Elf64_Shdr>(data, eh.e_shoff + uint64_t(i) * sizeof(Elf64_Shdr), path);
      const std::string name = c_string_at(data, names.sh_offset + sh.sh_name);
      if (name == ".nv_fatbin" || name == "__nv_relfatbin") {
        out.has_fatbin = true;
        out.has_kernels |= name == "__nv_relfatbin" || fatbin_section_has_kernels(data, sh.sh_offset, sh.sh_size);
      }
      if (sh.sh_type == SHT_DYNAMIC) {
        dynamic_off = sh.sh_offset;
        dynamic_size = sh.sh_size;
        dynstr_off = read_at<Elf64_Shdr>(data, eh.e_shoff + uint64_t(sh.sh_link) * sizeof(Elf64_Shdr), path).sh_offset;
      }
    }
  }
  if (out.has_fatbin)
    runtime::for_each_function_symbol(path, {"__cudaRegisterFatBinary"}, [&](const runtime::ElfFunctionSymbol& fn) {
      out.static_cudart |= fn.name == "__cudaRegisterFatBinary";
    });
  for (uint64_t off = dynamic_off; off + sizeof(Elf64_Dyn) <= dynamic_off + dynamic_size; off += sizeof(Elf64_Dyn)) {
    const auto d = read_at<Elf64_Dyn>(data, off, path);
    if (d.d_tag == DT_NULL) break;
    if (d.d_tag == DT_NEEDED) out.needed.push_back(c_string_at(data, dynstr_off + d.d_un.d_val));
  }
  return out;
}

}  // namespace gpusim::cli

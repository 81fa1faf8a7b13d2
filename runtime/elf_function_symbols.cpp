#include "runtime/elf_function_symbols.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace gpusim::runtime {

namespace {

// An open file read at offsets; closes itself.
class FileAt {
 public:
  explicit FileAt(const std::string& path) : path_(path), fd_(open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(path + ": cannot be read: " + std::strerror(errno));
  }
  ~FileAt() { close(fd_); }
  FileAt(const FileAt&) = delete;
  FileAt& operator=(const FileAt&) = delete;

  // Exactly `size` bytes at `offset`, or false at the end of the file.
  bool read(uint64_t offset, void* out, size_t size) const {
    auto* to = static_cast<char*>(out);
    while (size > 0) {
      const ssize_t n = pread(fd_, to, size, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(path_ + ": cannot be read: " + std::strerror(errno));
      if (n == 0) return false;
      to += n, offset += static_cast<uint64_t>(n), size -= static_cast<size_t>(n);
    }
    return true;
  }
  void read_or_throw(uint64_t offset, void* out, size_t size, const char* what) const {
    if (!read(offset, out, size)) throw std::runtime_error(path_ + ": truncated ELF file (" + what + ")");
  }

 private:
  std::string path_;
  int fd_;
};

}  // namespace

bool for_each_function_symbol(const std::string& path, const std::vector<std::string>& prefixes,
                              const std::function<void(const ElfFunctionSymbol&)>& visit) {
  const FileAt file(path);
  Elf64_Ehdr eh{};
  if (!file.read(0, &eh, sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr))
    return false;
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  if (!sections.empty())
    file.read_or_throw(eh.e_shoff, sections.data(), sections.size() * sizeof(Elf64_Shdr), "section headers");
  for (const Elf64_Shdr& table : sections) {
    if (table.sh_type != SHT_SYMTAB || table.sh_entsize != sizeof(Elf64_Sym)) continue;
    if (table.sh_link >= sections.size()) throw std::runtime_error(path + ": .symtab names no string table");
    const Elf64_Shdr& strings = sections[table.sh_link];
    // At most 1 GiB of names: a corrupt size must not allocate the machine's memory.
    if (strings.sh_size > (uint64_t(1) << 30) || table.sh_size > (uint64_t(1) << 30))
      throw std::runtime_error(path + ": implausibly large symbol table");
    std::string names(strings.sh_size, '\0');
    file.read_or_throw(strings.sh_offset, names.data(), names.size(), ".strtab");
    std::vector<Elf64_Sym> symbols(table.sh_size / sizeof(Elf64_Sym));
    file.read_or_throw(table.sh_offset, symbols.data(), symbols.size() * sizeof(Elf64_Sym), ".symtab");
    for (const Elf64_Sym& s : symbols) {
      if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || s.st_value == 0) continue;
      if (s.st_name >= names.size()) continue;
      const char* name = names.data() + s.st_name;
      const size_t length = strnlen(name, names.size() - s.st_name);
      bool wanted = false;
      for (const std::string& prefix : prefixes)
        wanted |= length >= prefix.size() && std::memcmp(name, prefix.data(), prefix.size()) == 0;
      if (!wanted) continue;
      const unsigned binding = ELF64_ST_BIND(s.st_info);
      const bool exported = (binding == STB_GLOBAL || binding == STB_WEAK) && ELF64_ST_VISIBILITY(s.st_other) == STV_DEFAULT;
      visit(ElfFunctionSymbol{std::string(name, length), s.st_value, s.st_size, exported});
    }
    return true;
  }
  return false;
}

std::vector<ElfCodeSegment> elf_code_segments(const std::string& path) {
  const FileAt file(path);
  Elf64_Ehdr eh{};
  if (!file.read(0, &eh, sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
    return {};
  std::vector<Elf64_Phdr> headers(eh.e_phnum);  // e_phnum is 16 bits: at most 3.5 MB
  if (!headers.empty())
    file.read_or_throw(eh.e_phoff, headers.data(), headers.size() * sizeof(Elf64_Phdr), "program headers");
  std::vector<ElfCodeSegment> code;
  for (const Elf64_Phdr& ph : headers)
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) code.push_back({ph.p_vaddr, ph.p_memsz, ph.p_flags});
  return code;
}

}  // namespace gpusim::runtime

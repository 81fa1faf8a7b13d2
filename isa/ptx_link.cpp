// The PTX linker (isa/ptx_link.h). Each module is tokenized and cut into module-scope items
// (header directives, `.file` lines, variable declarations, function prototypes and bodies);
// items are re-emitted from the original text, so comments and layout inside a function survive,
// with only the tokens that name a renamed symbol or a `.file` id substituted.
#include "isa/ptx_link.h"

#include <algorithm>
#include <map>
#include <set>

#include "isa/ptx_lexer.h"

namespace gpusim::isa {

namespace {

enum class Linkage { Internal, Visible, Weak, Common, Extern };
enum class ItemKind { File, Variable, Prototype, Function };

struct Item {
  ItemKind kind = ItemKind::Variable;
  Linkage linkage = Linkage::Internal;
  size_t first = 0, last = 0;  // token range, inclusive
  std::vector<std::string> names;
  bool entry = false;
  bool shared = false;         // a .shared variable (an .extern one is dynamic shared memory)
  bool dropped = false;        // another module's definition wins, or a resolved .extern
};

struct Unit {
  const PtxLinkModule* source = nullptr;
  size_t index = 0;
  std::vector<Token> toks;
  std::vector<Item> items;
  std::string version, target, address_size;
  bool included = false;
  std::map<std::string, std::string> renames;
  std::map<size_t, std::string> substitutions;  // token index -> replacement text
};

bool is_global_definition(const Item& it) {
  return it.kind != ItemKind::File && it.kind != ItemKind::Prototype && it.linkage != Linkage::Extern &&
         it.linkage != Linkage::Internal;
}
bool is_internal_definition(const Item& it) {
  return (it.kind == ItemKind::Variable || it.kind == ItemKind::Function || it.kind == ItemKind::Prototype) &&
         it.linkage == Linkage::Internal;
}
bool is_reference(const Item& it) {
  return it.linkage == Linkage::Extern && !(it.kind == ItemKind::Variable && it.shared);
}

std::string module_label(const Unit& u) { return "module " + std::to_string(u.index) + " (" + u.source->name + ")"; }

// Cuts one module's tokens into items.
class Scanner {
 public:
  explicit Scanner(Unit& u) : u_(u), t_(u.toks) {}

  void run() {
    while (t_[i_].kind != TokenKind::End) {
      const Token& t = t_[i_];
      if (t.is('@')) { skip_line(); continue; }  // "@@DWARF ..."
      if (t.kind != TokenKind::Word) fail("unexpected '" + std::string(t.text) + "' at module scope");
      if (t.text == ".version") { u_.version = std::string(t_[i_ + 1].text); i_ += 2; continue; }
      if (t.text == ".address_size") { u_.address_size = std::string(t_[i_ + 1].text); i_ += 2; continue; }
      if (t.text == ".target") {
        const uint32_t line = t.line;
        ++i_;
        for (; t_[i_].kind != TokenKind::End && t_[i_].line == line; ++i_) {
          if (t_[i_].kind != TokenKind::Word && !t_[i_].is(',')) break;
          u_.target += t_[i_].text;
          if (t_[i_].is(',')) u_.target += ' ';
        }
        continue;
      }
      if (t.text == ".file") {
        Item it;
        it.kind = ItemKind::File;
        it.first = i_;
        skip_line();
        it.last = i_ - 1;
        u_.items.push_back(std::move(it));
        continue;
      }
      if (t.text == ".loc") { skip_line(); continue; }
      if (t.text == ".section") { skip_block(); continue; }  // DWARF: each module's own labels
      if (t.text == ".pragma") { skip_through(';'); continue; }
      declaration();
    }
  }

 private:
  void fail(const std::string& what) {
    const Token& t = t_[i_];
    throw PtxLinkError("PTX link: " + module_label(u_) + ": line " + std::to_string(t.line) + ": " + what);
  }
  void skip_line() {
    const uint32_t line = t_[i_].line;
    while (t_[i_].kind != TokenKind::End && t_[i_].line == line) ++i_;
  }
  void skip_through(char c) {
    while (t_[i_].kind != TokenKind::End && !t_[i_].is(c)) ++i_;
    if (t_[i_].kind == TokenKind::End) fail(std::string("missing '") + c + "'");
    ++i_;
  }
  // From the current token to the '}' matching the first '{'.
  void skip_block() {
    while (t_[i_].kind != TokenKind::End && !t_[i_].is('{')) ++i_;
    int depth = 0;
    do {
      if (t_[i_].kind == TokenKind::End) fail("unterminated '{' block");
      if (t_[i_].is('{')) ++depth;
      if (t_[i_].is('}')) --depth;
      ++i_;
    } while (depth > 0);
  }

  void declaration() {
    Item it;
    it.first = i_;
    bool ext = false, weak = false, common = false, visible = false;
    for (;; ++i_) {
      const std::string_view w = t_[i_].text;
      if (t_[i_].kind != TokenKind::Word) break;
      if (w == ".extern") ext = true;
      else if (w == ".weak") weak = true;
      else if (w == ".common") common = true;
      else if (w == ".visible") visible = true;
      else break;
    }
    it.linkage = ext ? Linkage::Extern : weak ? Linkage::Weak : common ? Linkage::Common
                 : visible ? Linkage::Visible : Linkage::Internal;
    const Token& kw = t_[i_];
    if (kw.is_word(".entry") || kw.is_word(".func")) {
      function(it, kw.text == ".entry");
    } else if (kw.is_word(".global") || kw.is_word(".const") || kw.is_word(".shared")) {
      variable(it, kw.text == ".shared");
    } else {
      fail("unexpected '" + std::string(kw.text) + "' at module scope");
    }
    u_.items.push_back(std::move(it));
  }

  void function(Item& it, bool entry) {
    it.entry = entry;
    ++i_;
    if (t_[i_].is('(')) skip_parens();  // the return parameter list
    if (t_[i_].kind != TokenKind::Word) fail("expected a function name");
    it.names.push_back(std::string(t_[i_].text));
    ++i_;
    int depth = 0;
    for (;; ++i_) {
      const Token& t = t_[i_];
      if (t.kind == TokenKind::End) fail("unterminated declaration of '" + it.names[0] + "'");
      if (t.is('(')) ++depth;
      if (t.is(')')) --depth;
      if (depth == 0 && t.is(';')) {
        it.kind = ItemKind::Prototype;
        it.last = i_++;
        return;
      }
      if (depth == 0 && t.is('{')) break;
    }
    it.kind = ItemKind::Function;
    skip_block();
    it.last = i_ - 1;
  }

  void skip_parens() {
    int depth = 0;
    do {
      if (t_[i_].kind == TokenKind::End) fail("unterminated '('");
      if (t_[i_].is('(')) ++depth;
      if (t_[i_].is(')')) --depth;
      ++i_;
    } while (depth > 0);
  }

  // `[linkage] .global .align 4 .u32 a[4] = {...}, b;`: names are the words not starting with
  // '.', outside brackets and before any initializer, each following the type or a ','.
  void variable(Item& it, bool shared) {
    it.kind = ItemKind::Variable;
    it.shared = shared;
    int depth = 0;
    bool in_init = false, want_name = true;
    for (;; ++i_) {
      const Token& t = t_[i_];
      if (t.kind == TokenKind::End) fail("unterminated variable declaration");
      if (t.is('[') || t.is('{') || t.is('(')) ++depth;
      if (t.is(']') || t.is('}') || t.is(')')) --depth;
      if (depth != 0) continue;
      if (t.is(';')) break;
      if (t.is('=')) in_init = true;
      if (t.is(',') && !in_init) want_name = true;
      if (t.is(',') && in_init) in_init = false, want_name = true;  // "a = 1, b"
      if (want_name && t.kind == TokenKind::Word && t.text[0] != '.') {
        it.names.push_back(std::string(t.text));
        want_name = false;
      }
    }
    if (it.names.empty()) fail("a variable declaration without a name");
    it.last = i_++;
  }

  Unit& u_;
  const std::vector<Token>& t_;
  size_t i_ = 0;
};

// "9.0" < "9.1" < "10.0".
std::pair<int, int> version_of(const std::string& v) {
  const size_t dot = v.find('.');
  try {
    return {std::stoi(v.substr(0, dot)), dot == std::string::npos ? 0 : std::stoi(v.substr(dot + 1))};
  } catch (const std::exception&) {
    return {0, 0};
  }
}
// A .target list without its `debug` modifier (nvcc -G): the link does not carry the modules'
// DWARF sections over, and ptxas refuses a `debug` target that has none.
std::string without_debug(const std::string& target) {
  std::string out;
  size_t from = 0;
  while (from <= target.size()) {
    size_t comma = target.find(',', from);
    if (comma == std::string::npos) comma = target.size();
    std::string item = target.substr(from, comma - from);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty() && item != "debug") out += (out.empty() ? "" : ", ") + item;
    from = comma + 1;
  }
  return out;
}

int sm_of(const std::string& target) {
  const size_t p = target.find("sm_");
  if (p == std::string::npos) return 0;
  try {
    return std::stoi(target.substr(p + 3));
  } catch (const std::exception&) {
    return 0;
  }
}

class Linker {
 public:
  Linker(const std::vector<PtxLinkModule>& modules, const std::function<bool(std::string_view)>& runtime)
      : runtime_(runtime) {
    units_.resize(modules.size());
    for (size_t k = 0; k < modules.size(); ++k) {
      Unit& u = units_[k];
      u.source = &modules[k];
      u.index = k;
      u.toks = tokenize_ptx(u.source->text, u.source->name);
      Scanner(u).run();
      u.included = !u.source->optional;
      for (const Token& t : u.toks)
        if (t.kind == TokenKind::Word) all_words_.insert(std::string(t.text));
    }
  }

  std::string run() {
    include_needed_optional_modules();
    leave_runtime_functions_to_the_simulator();
    resolve_globals();
    rename_internals();
    renumber_files();
    drop_inlining_details();
    return emit();
  }

 private:
  // Pulls in optional modules that define a name an included module references, repeatedly.
  void include_needed_optional_modules() {
    for (bool changed = true; changed;) {
      changed = false;
      std::set<std::string> needed;
      for (const Unit& u : units_)
        if (u.included)
          for (const Item& it : u.items)
            if (is_reference(it))
              for (const std::string& n : it.names)
                if (!runtime_(n)) needed.insert(n);  // the simulator's own (printf, device-side launches...)
      for (const Unit& u : units_)
        if (u.included)
          for (const Item& it : u.items)
            if (is_global_definition(it))
              for (const std::string& n : it.names) needed.erase(n);
      for (Unit& u : units_) {
        if (u.included) continue;
        for (const Item& it : u.items)
          if (is_global_definition(it))
            for (const std::string& n : it.names) u.included |= needed.count(n) != 0;
        changed |= u.included;
      }
    }
  }

  // libcudadevrt defines the device runtime's entry points (__cudaCDP2LaunchDeviceV2, ...) over
  // driver syscalls no PTX defines; the simulator implements those entry points itself. Once the
  // library is linked for another of its symbols, its definitions of them become declarations, so
  // that device-side launches keep reaching the simulator instead of a missing syscall.
  void leave_runtime_functions_to_the_simulator() {
    for (Unit& u : units_) {
      if (!u.included || !u.source->optional) continue;
      for (Item& it : u.items) {
        if (it.kind != ItemKind::Function || !is_global_definition(it) || !runtime_(it.names[0])) continue;
        size_t body = it.first;
        while (body < it.last && !u.toks[body].is('{')) ++body;
        for (size_t i = it.first; i < body; ++i)
          if (u.toks[i].is_word(".visible") || u.toks[i].is_word(".weak")) u.substitutions[i] = ".extern";
        u.substitutions[body] = ";";
        it.last = body;
        it.kind = ItemKind::Prototype;
        it.linkage = Linkage::Extern;
      }
    }
  }

  // One definition per global name: the strong one, else the first .weak/.common one.
  void resolve_globals() {
    std::map<std::string, std::pair<Unit*, Item*>> winner;
    for (Unit& u : units_) {
      if (!u.included) continue;
      for (Item& it : u.items) {
        if (!is_global_definition(it)) continue;
        const std::string& n = it.names[0];
        auto [pos, fresh] = winner.emplace(n, std::make_pair(&u, &it));
        if (fresh) continue;
        Item& old = *pos->second.second;
        const bool old_strong = old.linkage == Linkage::Visible, new_strong = it.linkage == Linkage::Visible;
        if (old_strong && new_strong)
          throw PtxLinkError("PTX link: '" + n + "' is defined in both " + module_label(*pos->second.first) +
                             " and " + module_label(u) +
                             " (two strong definitions; make one of them static, inline or extern)");
        if (new_strong) {
          old.dropped = true;
          pos->second = {&u, &it};
        } else {
          it.dropped = true;
        }
      }
    }
    std::string missing;
    size_t missing_count = 0;
    constexpr size_t kMaxNamed = 6;  // a message, not a listing of a whole library's imports
    std::set<std::string> dynamic_shared, declared;
    for (Unit& u : units_) {
      if (!u.included) continue;
      for (Item& it : u.items) {
        if (it.linkage != Linkage::Extern || it.kind == ItemKind::File) continue;
        if (it.kind == ItemKind::Variable && it.shared) {  // dynamic shared memory: declare it once
          it.dropped = !dynamic_shared.insert(it.names[0]).second;
          continue;
        }
        for (const std::string& n : it.names) {
          if (winner.count(n)) continue;
          if (it.kind == ItemKind::Prototype && runtime_(n)) continue;
          // libcudadevrt's device-side cudaFuncGetAttributes, occupancy queries and the like call
          // into the driver's own syscalls (cnp*), which no PTX defines: left declared, a call to
          // one faults naming it when it runs, and every other kernel of the program still links.
          if (it.kind == ItemKind::Prototype && u.source->optional) continue;
          if (++missing_count > kMaxNamed) continue;
          if (!missing.empty()) missing += "; ";
          missing += "'" + n + "' (declared .extern in " + module_label(u) + ")";
        }
        // A resolved .extern variable is dropped: the definition takes its place, ahead of every
        // function. A function prototype stays, once per name, with the definition's linkage:
        // ptxas refuses an `.extern` declaration of a function the same text defines.
        if (it.kind == ItemKind::Variable) {
          it.dropped = true;
        } else if (!declared.insert(it.names[0]).second) {
          it.dropped = true;
        } else if (auto w = winner.find(it.names[0]); w != winner.end()) {
          for (size_t i = it.first; i < it.last; ++i)
            if (u.toks[i].is_word(".extern"))
              u.substitutions[i] = w->second.second->linkage == Linkage::Weak ? ".weak" : ".visible";
        }
      }
    }
    if (missing_count > kMaxNamed) missing += "; and " + std::to_string(missing_count - kMaxNamed) + " more";
    if (!missing.empty())
      throw PtxLinkError("PTX link: undefined symbol(s): " + missing +
                         "; no linked module defines them (is a .cu file or library missing from the link?)");
    globals_ = std::move(winner);
  }

  // Internal names used by more than one module (or by a global elsewhere) get a per-module
  // suffix at every token that names them in that module; the first user keeps the name.
  void rename_internals() {
    std::map<std::string, std::vector<Unit*>> internal_users;
    for (Unit& u : units_) {
      if (!u.included) continue;
      std::set<std::string> mine;
      for (const Item& it : u.items)
        if (is_internal_definition(it)) mine.insert(it.names.begin(), it.names.end());
      for (const std::string& n : mine) internal_users[n].push_back(&u);
    }
    for (auto& [name, users] : internal_users) {
      const size_t keep = globals_.count(name) ? 0 : 1;
      for (size_t k = keep; k < users.size(); ++k) {
        Unit& u = *users[k];
        for (const Item& it : u.items)
          if (it.entry && it.linkage == Linkage::Internal && it.names[0] == name)
            throw PtxLinkError("PTX link: kernel '" + name + "' of " + module_label(u) +
                               " has the name of another module's symbol; a kernel cannot be renamed");
        std::string fresh = name + "$m" + std::to_string(u.index);
        while (all_words_.count(fresh)) fresh += "$";
        all_words_.insert(fresh);
        u.renames[name] = fresh;
      }
    }
    for (Unit& u : units_)
      if (!u.renames.empty())
        for (size_t i = 0; i < u.toks.size(); ++i)
          if (u.toks[i].kind == TokenKind::Word) {
            auto r = u.renames.find(std::string(u.toks[i].text));
            if (r != u.renames.end()) u.substitutions[i] = r->second;
          }
  }

  // `.file N`, `.loc N ...` and `inlined_at N ...`: module-local ids become program-wide ones.
  void renumber_files() {
    unsigned next = 1;
    for (Unit& u : units_) {
      if (!u.included) continue;
      std::map<std::string, std::string> ids;
      for (const Item& it : u.items)
        if (it.kind == ItemKind::File && u.toks[it.first + 1].kind == TokenKind::Number)
          ids[std::string(u.toks[it.first + 1].text)] = std::to_string(next++);
      for (size_t i = 0; i + 1 < u.toks.size(); ++i) {
        const Token& t = u.toks[i];
        if (t.kind != TokenKind::Word || u.toks[i + 1].kind != TokenKind::Number) continue;
        if (t.text != ".file" && t.text != ".loc" && t.text != "inlined_at") continue;
        auto id = ids.find(std::string(u.toks[i + 1].text));
        if (id != ids.end()) u.substitutions[i + 1] = id->second;
      }
    }
  }

  // `.loc N line col, function_name $L__info_stringK, inlined_at ...` (nvcc -lineinfo, for inlined
  // calls): the labels live in each module's .section .debug_str, which the link does not carry
  // over (DWARF is per module), and ptxas refuses a .loc naming an undefined label. The link keeps
  // file, line and column, all that gpusim reads from a .loc.
  void drop_inlining_details() {
    for (Unit& u : units_) {
      if (!u.included) continue;
      for (size_t i = 0; i + 2 < u.toks.size(); ++i) {
        if (u.toks[i].text != ".loc") continue;
        const uint32_t line = u.toks[i].line;
        size_t j = i + 1;
        while (j + 1 < u.toks.size() && u.toks[j].line == line &&
               !(u.toks[j].is(',') && u.toks[j + 1].text == "function_name"))
          ++j;
        if (j + 1 >= u.toks.size() || u.toks[j].line != line) continue;
        for (; j < u.toks.size() && u.toks[j].line == line; ++j) u.substitutions[j] = "";
      }
    }
  }

  void emit_item(std::string& out, const Unit& u, const Item& it) const {
    const std::string& src = u.source->text;
    auto start = [&](size_t i) { return size_t(u.toks[i].text.data() - src.data()); };
    size_t pos = start(it.first);
    for (size_t i = it.first; i <= it.last; ++i) {
      const size_t s = start(i);
      out.append(src, pos, s - pos);
      auto sub = u.substitutions.find(i);
      out += sub != u.substitutions.end() ? sub->second : std::string(u.toks[i].text);
      pos = s + u.toks[i].text.size();
    }
    if (u.toks[it.last].kind == TokenKind::String) out += '"';
    out += '\n';
  }

  void emit_section(std::string& out, const char* title, const std::function<bool(const Item&)>& pick) const {
    out += "\n// ---- " + std::string(title) + " ----\n";
    for (const Unit& u : units_) {
      if (!u.included) continue;
      bool headed = false;
      for (const Item& it : u.items) {
        if (it.dropped || !pick(it)) continue;
        if (!headed) out += "// " + module_label(u) + "\n";
        headed = true;
        emit_item(out, u, it);
      }
    }
  }

  std::string emit() const {
    std::string out = "// PTX linked by gpusim from " + std::to_string(units_.size()) + " modules (relocatable device code)\n";
    const Unit* newest_version = nullptr;
    const Unit* newest_target = nullptr;
    std::string address_size;
    const bool any_required =
        std::any_of(units_.begin(), units_.end(), [](const Unit& u) { return u.included && !u.source->optional; });
    for (const Unit& u : units_) {
      out += "//   " + module_label(u) + (u.included ? "" : ": not linked (optional, and no linked module uses it)") + "\n";
      if (!u.included) continue;
      if (!newest_version || version_of(u.version) > version_of(newest_version->version)) newest_version = &u;
      // The target is the program's own: an optional library pulled in for a few symbols (libcudadevrt
      // ships compute_121 PTX only) must not raise it past what the device and ptxas accept.
      const bool target_counts = !u.source->optional || !any_required;
      if (target_counts && (!newest_target || sm_of(u.target) > sm_of(newest_target->target))) newest_target = &u;
      if (!u.address_size.empty() && !address_size.empty() && u.address_size != address_size)
        throw PtxLinkError("PTX link: " + module_label(u) + " has .address_size " + u.address_size +
                           ", another module " + address_size);
      if (!u.address_size.empty()) address_size = u.address_size;
    }
    if (!newest_version) throw PtxLinkError("PTX link: no module to link");
    if (!newest_version->version.empty()) out += ".version " + newest_version->version + "\n";
    if (!newest_target->target.empty()) out += ".target " + without_debug(newest_target->target) + "\n";
    if (!address_size.empty()) out += ".address_size " + address_size + "\n";
    emit_section(out, "source files", [](const Item& it) { return it.kind == ItemKind::File; });
    emit_section(out, "function prototypes", [](const Item& it) { return it.kind == ItemKind::Prototype; });
    emit_section(out, "variables", [](const Item& it) { return it.kind == ItemKind::Variable; });
    emit_section(out, "functions", [](const Item& it) { return it.kind == ItemKind::Function; });
    return out;
  }

  const std::function<bool(std::string_view)>& runtime_;
  std::vector<Unit> units_;
  std::set<std::string> all_words_;
  std::map<std::string, std::pair<Unit*, Item*>> globals_;
};

}  // namespace

std::string link_ptx(const std::vector<PtxLinkModule>& modules,
                     const std::function<bool(std::string_view)>& provided_by_runtime) {
  return Linker(modules, provided_by_runtime).run();
}

}  // namespace gpusim::isa

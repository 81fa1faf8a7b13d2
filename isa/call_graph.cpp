#include "isa/call_graph.h"

#include <vector>

namespace gpusim::isa {

bool call_depth_unbounded(const Module& module, const Function& kernel) {
  const size_t n = module.functions.size();
  // Depth-first with colours: a call to a function still on the path is a cycle (recursion).
  enum class Mark : unsigned char { Unseen, OnPath, Done };
  std::vector<Mark> mark(n, Mark::Unseen);
  struct Visit {
    size_t function;
    size_t next_instruction;
  };
  const size_t root = size_t(&kernel - module.functions.data());
  if (root >= n) return false;
  std::vector<Visit> path{{root, 0}};
  mark[root] = Mark::OnPath;
  while (!path.empty()) {
    Visit& v = path.back();
    const std::vector<Instruction>& code = module.functions[v.function].code;
    bool descended = false;
    while (v.next_instruction < code.size()) {
      const Instruction& in = code[v.next_instruction++];
      if (in.op != Opcode::Call) continue;
      if (in.ops[1].kind != OperandKind::Function) return true;  // through a pointer
      const size_t callee = in.ops[1].reg;
      if (callee >= n || !module.functions[callee].has_body) continue;  // printf, malloc: no frame of ours
      if (mark[callee] == Mark::OnPath) return true;
      if (mark[callee] == Mark::Done) continue;
      mark[callee] = Mark::OnPath;
      path.push_back({callee, 0});
      descended = true;
      break;
    }
    if (!descended) {
      mark[path.back().function] = Mark::Done;
      path.pop_back();
    }
  }
  return false;
}

}  // namespace gpusim::isa

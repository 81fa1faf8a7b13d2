# cmake -P script: turns one nvcc-generated PTX file into a C++ source that embeds the PTX text
# and ptxas' per-kernel resource usage for each requested SM architecture.
#
# Inputs (-D):
#   NAME        file stem, the key of find_embedded_ptx() (e.g. "vecadd")
#   SYMBOL      C++ identifier for the generated function (the stem, sanitized)
#   SOURCE_REL  the .cu path relative to the repository (for messages and EmbeddedPtx::source_path)
#   CU          absolute path of the .cu (recompiled for architectures older than the PTX target)
#   PTX         absolute path of the PTX compiled for PTX_TARGET
#   PTX_TARGET  the compute capability the PTX targets, as a number (e.g. 80; 90a for sm_90a PTX)
#   ARCHS       comma-separated ptxas targets (e.g. "sm_75,sm_80,sm_90", or "sm_90a")
#   NVCC, PTXAS tool paths
#   NVCC_FLAGS  comma-separated extra nvcc flags (the same as for PTX)
#   WORK_DIR    scratch directory for the per-architecture PTX of older targets
#   OUT         the .cpp to write
cmake_minimum_required(VERSION 3.25)

foreach(var NAME SYMBOL SOURCE_REL CU PTX PTX_TARGET ARCHS NVCC PTXAS WORK_DIR OUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "EmbedPtx.cmake: missing -D${var}=...")
  endif()
endforeach()
string(REPLACE "," ";" arch_list "${ARCHS}")
string(REPLACE "," ";" nvcc_flags "${NVCC_FLAGS}")

# ptxas prints, per entry function:
#   ptxas info    : Compiling entry function 'k' for 'sm_80'
#   ptxas info    : Function properties for k
#       0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
#   ptxas info    : Used 12 registers, used 1 barriers, 1024 bytes smem, 380 bytes cmem[0]
# "Function properties" also appears for non-inlined device functions, so stack/spill figures
# are attributed to the function named by the latest "Function properties" line, and only
# entries (named by "Compiling entry function") are recorded.
function(parse_ptxas_output text arch out_var)
  # Brackets would make CMake's list splitting group lines, so neutralize them first.
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(entries "")
  set(current_entry "")
  set(properties_of "")
  foreach(line IN LISTS lines)
    if(line MATCHES "Compiling entry function '([^']+)' for '([^']+)'")
      set(current_entry "${CMAKE_MATCH_1}")
      if(NOT CMAKE_MATCH_2 STREQUAL arch)
        message(FATAL_ERROR "EmbedPtx.cmake: ${SOURCE_REL}: ptxas compiled '${current_entry}' for '${CMAKE_MATCH_2}', expected '${arch}'")
      endif()
      list(APPEND entries "${current_entry}")
      set(regs_${current_entry} 0)
      set(smem_${current_entry} 0)
      set(stack_${current_entry} 0)
      set(spill_${current_entry} 0)
    elseif(line MATCHES "Function properties for ([^ ]+)")
      set(properties_of "${CMAKE_MATCH_1}")
    elseif(line MATCHES "([0-9]+) bytes stack frame, ([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads")
      if(properties_of STREQUAL current_entry AND NOT current_entry STREQUAL "")
        set(stack_${current_entry} ${CMAKE_MATCH_1})
        math(EXPR spill "${CMAKE_MATCH_2} + ${CMAKE_MATCH_3}")
        set(spill_${current_entry} ${spill})
      endif()
    elseif(line MATCHES "Used ([0-9]+) registers")
      if(current_entry STREQUAL "")
        message(FATAL_ERROR "EmbedPtx.cmake: ${SOURCE_REL}: ptxas 'Used ... registers' line before any entry function: ${line}")
      endif()
      set(regs_${current_entry} ${CMAKE_MATCH_1})
      if(line MATCHES "([0-9]+) bytes smem")
        set(smem_${current_entry} ${CMAKE_MATCH_1})
      endif()
    endif()
  endforeach()
  set(rows "")
  foreach(entry IN LISTS entries)
    string(APPEND rows "      {\"${entry}\", \"${arch}\", ${regs_${entry}}u, ${smem_${entry}}u, ${stack_${entry}}u, ${spill_${entry}}u},\n")
  endforeach()
  set(${out_var} "${rows}" PARENT_SCOPE)
endfunction()

set(resource_rows "")
foreach(arch IN LISTS arch_list)
  if(NOT arch MATCHES "^sm_([0-9]+)a?$")
    message(FATAL_ERROR "EmbedPtx.cmake: bad architecture '${arch}' (expected sm_NN or sm_NNa)")
  endif()
  set(arch_number ${CMAKE_MATCH_1})
  string(REGEX REPLACE "a$" "" ptx_target_number "${PTX_TARGET}")
  set(arch_ptx "${PTX}")
  if(arch_number LESS ptx_target_number)
    # ptxas refuses PTX whose .target is newer than the SM, so older SMs get their own PTX.
    set(arch_ptx "${WORK_DIR}/${NAME}.compute_${arch_number}.ptx")
    execute_process(
      COMMAND "${NVCC}" -ptx -arch=compute_${arch_number} ${nvcc_flags} -o "${arch_ptx}" "${CU}"
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "EmbedPtx.cmake: ${SOURCE_REL}: nvcc for compute_${arch_number} failed:\n${out}${err}")
    endif()
  endif()
  execute_process(
    COMMAND "${PTXAS}" -v -arch=${arch} "${arch_ptx}" -o /dev/null
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "EmbedPtx.cmake: ${SOURCE_REL}: ptxas -arch=${arch} failed:\n${out}${err}")
  endif()
  parse_ptxas_output("${out}\n${err}" "${arch}" rows)
  string(APPEND resource_rows "${rows}")
endforeach()

# The PTX goes in as raw-string chunks well below any compiler's string-literal limit, joined at
# run time.
file(READ "${PTX}" ptx_text)
set(delimiter "gpusim_ptx")
string(FIND "${ptx_text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "EmbedPtx.cmake: ${PTX} contains the raw-string delimiter ')${delimiter}\"'")
endif()
set(chunk_size 4000)
string(LENGTH "${ptx_text}" ptx_length)
if(ptx_length EQUAL 0)
  message(FATAL_ERROR "EmbedPtx.cmake: ${PTX} is empty")
endif()
set(chunks "")
set(offset 0)
while(offset LESS ptx_length)
  string(SUBSTRING "${ptx_text}" ${offset} ${chunk_size} chunk)
  string(APPEND chunks "      R\"${delimiter}(${chunk})${delimiter}\",\n")
  math(EXPR offset "${offset} + ${chunk_size}")
endwhile()

set(content "// Generated by workloads/cmake/EmbedPtx.cmake from ${SOURCE_REL}; do not edit.
#include <string>

#include \"workloads/embedded_ptx.h\"

namespace gpusim::workloads::generated {

EmbeddedPtx embedded_ptx_${SYMBOL}() {
  static const char* const chunks[] = {
${chunks}  };
  EmbeddedPtx e;
  e.name = \"${NAME}\";
  e.source_path = \"${SOURCE_REL}\";
  for (const char* chunk : chunks) e.ptx += chunk;
  e.resources = {
${resource_rows}  };
  return e;
}

}  // namespace gpusim::workloads::generated
")
file(WRITE "${OUT}" "${content}")

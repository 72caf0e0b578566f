# Runs the nvcc command line given after `--` with its output (ptxas's
# per-kernel resource report, from -Xptxas -v) written to ${REPORT} instead of
# the console; prints that output and fails if nvcc fails.
#   cmake -DREPORT=file -P run_nvcc.cmake -- nvcc args...
set(command "")
set(after_separator FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_separator)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(after_separator TRUE)
  endif()
endforeach()
execute_process(COMMAND ${command} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
file(WRITE ${REPORT} "${out}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "nvcc failed (${status}):\n${out}")
endif()

# cmake -DSCDOC=... -DINPUT=page.scd -DOUTPUT=page -P run_scdoc.cmake: scdoc reads standard
# input and writes standard output, which a custom command cannot redirect portably.
execute_process(COMMAND ${SCDOC} INPUT_FILE ${INPUT} OUTPUT_FILE ${OUTPUT}.tmp
                RESULT_VARIABLE result ERROR_VARIABLE error)
if(NOT result EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "scdoc ${INPUT}: ${error}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})

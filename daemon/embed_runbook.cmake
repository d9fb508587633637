# cmake -DINPUT=runbook.html -DOUTPUT=runbook_html.cc -P embed_runbook.cmake: writes OUTPUT, a C++
# source defining kRunbookHtml (daemon/runbook_route.h) as INPUT's text, as a raw string literal.
# Rewritten only when it changes, so an unchanged page recompiles nothing.
file(READ "${INPUT}" content)
string(FIND "${content}" ")pwrunbook\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string's delimiter )pwrunbook\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by daemon/embed_runbook.cmake: do not edit.\n"
  "#include \"daemon/runbook_route.h\"\n\n"
  "namespace proxywatch {\n\n"
  "const std::string_view kRunbookHtml = R\"pwrunbook(${content})pwrunbook\";\n\n"
  "}  // namespace proxywatch\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

// Compiles Boost.JSON (its header-only mode) once for every JSON user of the output stage: the
// probe JSON of `check --json`, the state file and status.json. Nothing else belongs here.
#include <boost/json/src.hpp>

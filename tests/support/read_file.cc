// Whole-file reads with std::ifstream in binary mode.
#include "tests/support/read_file.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace proxywatch::testing {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::string text(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  return text;
}

std::string read_file_or_empty(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
}

}  // namespace proxywatch::testing

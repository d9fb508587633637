// Reading a proxy's page (answer_page.h).
#include "common/probe/answer_page.h"

#include <array>
#include <charconv>
#include <utility>

#include "common/escape.h"

namespace proxywatch {
namespace {

std::string page_lowered(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// Where the first real <title> tag starts in `lower` (not <titles> or <title-bar>), or npos.
std::size_t page_title_tag(std::string_view lower) {
  for (std::size_t at = lower.find("<title"); at != std::string_view::npos;
       at = lower.find("<title", at + 1)) {
    std::size_t next = at + 6;
    if (next == lower.size()) return std::string_view::npos;
    char c = lower[next];
    if (c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/') return at;
  }
  return std::string_view::npos;
}

constexpr std::array<std::pair<std::string_view, char>, 6> kPageEntities = {{
    {"amp;", '&'},
    {"lt;", '<'},
    {"gt;", '>'},
    {"quot;", '"'},
    {"apos;", '\''},
    {"nbsp;", ' '},
}};

// Decodes the reference that starts after the '&' at `text`; returns the character and the
// length of the reference after the '&', or {0, 0} when it is not one we decode.
std::pair<char, std::size_t> page_entity(std::string_view text) {
  for (const auto& [name, c] : kPageEntities) {
    if (text.starts_with(name)) return {c, name.size()};
  }
  if (!text.starts_with('#')) return {0, 0};
  bool hex = text.size() > 1 && (text[1] == 'x' || text[1] == 'X');
  std::size_t digits = hex ? 2 : 1;
  unsigned value = 0;
  auto [end, ec] =
      std::from_chars(text.data() + digits, text.data() + text.size(), value, hex ? 16 : 10);
  std::size_t used = static_cast<std::size_t>(end - text.data());
  if (ec != std::errc{} || used >= text.size() || text[used] != ';') return {0, 0};
  // Only printable ASCII: anything else would become '?' in printable() anyway.
  if (value < 0x20 || value >= 0x7f) return {0, 0};
  return {static_cast<char>(value), used + 1};
}

}  // namespace

std::string page_title(std::string_view html) {
  std::string lower = page_lowered(html);
  std::size_t tag = page_title_tag(lower);
  if (tag == std::string::npos) return {};
  std::size_t open_end = lower.find('>', tag);
  if (open_end == std::string::npos) return {};
  std::size_t close = lower.find("</title", open_end);
  std::string_view text = html.substr(
      open_end + 1, close == std::string::npos ? std::string_view::npos : close - open_end - 1);
  std::string title;
  bool space = false;
  for (std::size_t i = 0; i < text.size() && title.size() <= kMaxPageTitle; ++i) {
    char c = text[i];
    if (c == '&') {
      auto [decoded, length] = page_entity(text.substr(i + 1));
      if (length != 0) {
        c = decoded;
        i += length;
      }
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
      space = !title.empty();
      continue;
    }
    if (space) title += ' ';
    space = false;
    title += c;
  }
  return printable(title, kMaxPageTitle);
}

bool has_title_end(std::string_view html) {
  return page_lowered(html).find("</title") != std::string::npos;
}

bool is_html_type(std::string_view content_type) {
  std::string lower = page_lowered(content_type);
  std::string_view type = lower;
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return type == "text/html";
}

}  // namespace proxywatch

// Two passes over the text: one with an event handler that only notes where each document
// starts (so a parser that stands still is caught after three documents) and stops at nesting
// deeper than kMaxYamlDepth, then YAML::Load for the first document, which parses one document
// and returns.
#include "config/yaml_documents.h"

#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>

namespace proxywatch::config {
namespace {

// Thrown by DocumentStarts at the first list or mapping nested too deep, where it starts.
struct TooDeep {
  YAML::Mark mark;
};

// Notes where each document starts and where its first node is, and throws TooDeep at the first
// collection nested deeper than kMaxYamlDepth; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  std::vector<YAML::Mark> first_nodes;  // one per document, its start if it has no node

  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark);
    first_nodes.push_back(mark);
    fresh_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void node(const YAML::Mark& mark) {
    if (fresh_ && !first_nodes.empty()) first_nodes.back() = mark;
    fresh_ = false;
  }
  void open(const YAML::Mark& mark) {
    node(mark);
    // Before yaml-cpp's own guard (500 levels, reported as "bad file"), with a plain message.
    if (++depth_ > kMaxYamlDepth) throw TooDeep{mark};
  }
  bool fresh_ = false;
  int depth_ = 0;
};

Error located(const std::string& source, const YAML::Mark& mark, std::string message) {
  bool known = mark.line >= 0;
  return file_error(source, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, "",
                    std::move(message));
}

}  // namespace

Result<YamlDocuments> load_documents(std::string_view text, const std::string& source) {
  std::string copy(text);
  DocumentStarts seen;
  try {
    std::istringstream stream(copy);
    YAML::Parser parser(stream);
    // Three documents tell "one", "more than one" and "a parser standing still on the second";
    // the bound also ends a parser that stands still.
    for (int i = 0; i < 3 && parser.HandleNextDocument(seen); ++i) {
    }
  } catch (const TooDeep& deep) {
    return located(source, deep.mark,
                   "invalid YAML: lists and mappings nested deeper than " +
                       std::to_string(kMaxYamlDepth) + " levels at line " +
                       std::to_string(deep.mark.line + 1));
  } catch (const YAML::Exception& error) {
    return located(source, error.mark, "invalid YAML: " + error.msg);
  }
  for (std::size_t i = 1; i < seen.starts.size(); ++i) {
    if (seen.starts[i].pos == seen.starts[i - 1].pos) {
      return located(source, seen.starts[i], "invalid YAML: unexpected text here");
    }
  }
  YamlDocuments documents;
  if (seen.starts.empty()) return documents;
  if (seen.starts.size() >= 2) documents.second = seen.first_nodes[1];
  try {
    documents.first = YAML::Load(copy);
  } catch (const YAML::Exception& error) {
    return located(source, error.mark, "invalid YAML: " + error.msg);
  }
  return documents;
}

}  // namespace proxywatch::config

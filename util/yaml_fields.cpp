#include "util/yaml_fields.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace leakcheck {

namespace {

Result<YAML::Node> parse(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{0, name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                        ": invalid YAML: " + e.msg};
  }
}

}  // namespace

Result<YAML::Node> load_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return errno_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Result<YAML::Node> load_yaml_text(const std::string& text, const std::string& name) { return parse(text, name); }

YamlObject::YamlObject(YAML::Node node, std::string file, std::string prefix)
    : node_(std::move(node)), file_(std::move(file)), prefix_(std::move(prefix)) {
  if (node_.IsNull()) node_ = YAML::Node(YAML::NodeType::Map);  // an empty file or section
  if (!node_.IsMap())
    error_ = Error{0, where(node_) + (prefix_.empty() ? "the document" : prefix_) + ": expected a mapping of keys"};
}

std::string YamlObject::where(const YAML::Node& node) const {
  int line = node.Mark().line;
  return file_ + (line >= 0 ? ":" + std::to_string(line + 1) : "") + ": ";
}

std::string YamlObject::full_key(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

bool YamlObject::has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined();
}

std::optional<YAML::Node> YamlObject::field(std::string_view key) {
  read_.emplace(key);
  if (error_ || !node_.IsMap()) return std::nullopt;
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined()) return std::nullopt;
  return value;
}

void YamlObject::fail(std::string_view key, const std::string& message) {
  if (error_) return;
  YAML::Node at = node_.IsMap() && node_[std::string(key)].IsDefined() ? node_[std::string(key)] : node_;
  error_ = Error{0, where(at) + full_key(key) + ": " + message};
}

template <typename T>
void YamlObject::read_scalar(std::string_view key, T& out, const char* type_name) {
  auto value = field(key);
  if (!value) return;
  if (!value->IsScalar()) return fail(key, std::string("expected ") + type_name);
  const std::string& text = value->Scalar();
  if constexpr (std::is_same_v<T, std::string>) {
    out = text;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (text == "true") out = true;
    else if (text == "false") out = false;
    else fail(key, "expected true or false, got \"" + text + "\"");
  } else {
    T parsed{};
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || ptr != text.data() + text.size())
      return fail(key, std::string("expected ") + type_name + ", got \"" + text + "\"");
    out = parsed;
  }
}

void YamlObject::read(std::string_view key, std::string& out) { read_scalar(key, out, "a string"); }
void YamlObject::read(std::string_view key, bool& out) { read_scalar(key, out, "true or false"); }
void YamlObject::read(std::string_view key, int64_t& out) { read_scalar(key, out, "a whole number"); }
void YamlObject::read(std::string_view key, uint64_t& out) { read_scalar(key, out, "a non-negative whole number"); }
void YamlObject::read(std::string_view key, double& out) { read_scalar(key, out, "a number"); }

void YamlObject::read(std::string_view key, std::vector<std::string>& out) {
  auto value = field(key);
  if (!value) return;
  if (!value->IsSequence()) return fail(key, "expected a list of strings");
  std::vector<std::string> items;
  for (const auto& item : *value) {
    if (!item.IsScalar()) return fail(key, "expected a list of strings");
    items.push_back(item.Scalar());
  }
  out = std::move(items);
}

void YamlObject::read(std::string_view key, std::map<std::string, std::string>& out) {
  auto value = field(key);
  if (!value) return;
  if (!value->IsMap()) return fail(key, "expected a mapping of names to strings");
  std::map<std::string, std::string> items;
  for (const auto& kv : *value) {
    if (!kv.second.IsScalar()) return fail(key, "value of \"" + kv.first.Scalar() + "\" must be a string");
    items[kv.first.Scalar()] = kv.second.Scalar();
  }
  out = std::move(items);
}

void YamlObject::read_duration(std::string_view key, Nanos& out) {
  std::string text;
  bool present = has(key);
  read_scalar(key, text, "a duration (e.g. 30s, 500ms, 4h)");
  if (!present || error_) return;
  auto d = parse_duration(text);
  if (!d) return fail(key, d.error().message());
  out = *d;
}

void YamlObject::read_choice(std::string_view key, std::string& out, std::initializer_list<std::string_view> allowed) {
  std::string text = out;
  read_scalar(key, text, "a string");
  if (error_) return;
  for (auto a : allowed)
    if (text == a) {
      out = text;
      return;
    }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  fail(key, "\"" + text + "\" is not one of: " + list);
}

void YamlObject::object(std::string_view key, const std::function<void(YamlObject&)>& fn) {
  auto value = field(key);
  if (!value) return;
  YamlObject child(*value, file_, full_key(key));
  if (!child.failed()) fn(child);
  if (auto s = child.finish(); !s) error_ = s.error();
}

void YamlObject::objects(std::string_view key, const std::function<void(YamlObject&, size_t)>& fn) {
  auto value = field(key);
  if (!value) return;
  if (!value->IsSequence()) return fail(key, "expected a list");
  for (size_t i = 0; i < value->size() && !error_; ++i) {
    YamlObject child((*value)[i], file_, full_key(key) + "[" + std::to_string(i) + "]");
    if (!child.failed()) fn(child, i);
    if (auto s = child.finish(); !s) error_ = s.error();
  }
}

Status YamlObject::finish() {
  if (error_) return *error_;
  for (const auto& kv : node_) {
    const std::string& key = kv.first.Scalar();
    if (!read_.contains(key)) return Error{0, where(kv.first) + full_key(key) + ": unknown key"};
  }
  return Ok{};
}

}  // namespace leakcheck

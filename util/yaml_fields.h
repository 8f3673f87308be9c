#pragma once
// Strict reading of YAML mappings (collector config, scenario files): every
// error names the file, the line and the full key, and a key nobody read is
// an error ("unknown key"), so a typo never passes silently as a default.
//
//   YamlObject o(root, "collector.yaml");
//   o.read("docker_host", config.docker_host);
//   o.read_duration("rotation_interval", config.rotation_interval);
//   o.object("sink", [&](YamlObject& sink) { sink.read("url", config.sink_url); });
//   Status s = o.finish();   // the first error, or an unknown key
//
// Reads keep the caller's default when a key is absent; after the first error
// the rest are skipped.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/duration.h"
#include "util/result.h"

namespace leakcheck {

// Loads a YAML file; a syntax error names the file, line and column.
Result<YAML::Node> load_yaml_file(const std::string& path);
// The same for text that came from elsewhere; `name` is what errors call it.
Result<YAML::Node> load_yaml_text(const std::string& text, const std::string& name);

class YamlObject {
 public:
  // `prefix` is the dotted path of this mapping ("" at the top, "sink" inside).
  YamlObject(YAML::Node node, std::string file, std::string prefix = "");

  bool has(std::string_view key) const;

  void read(std::string_view key, std::string& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, int64_t& out);
  void read(std::string_view key, uint64_t& out);
  void read(std::string_view key, double& out);
  void read(std::string_view key, std::vector<std::string>& out);
  void read(std::string_view key, std::map<std::string, std::string>& out);
  void read_duration(std::string_view key, Nanos& out);
  // A string that must be one of `allowed`.
  void read_choice(std::string_view key, std::string& out, std::initializer_list<std::string_view> allowed);
  // A nested mapping, read by `fn`; absent means fn is not called.
  void object(std::string_view key, const std::function<void(YamlObject&)>& fn);
  // A sequence of mappings, each read by `fn` with its index.
  void objects(std::string_view key, const std::function<void(YamlObject&, size_t)>& fn);

  // The error for `key` as users see it: "file:line: prefix.key: message".
  void fail(std::string_view key, const std::string& message);
  bool failed() const { return error_.has_value(); }

  // The first error, else the first key that was never read.
  Status finish();

 private:
  std::optional<YAML::Node> field(std::string_view key);
  std::string where(const YAML::Node& node) const;
  std::string full_key(std::string_view key) const;
  template <typename T>
  void read_scalar(std::string_view key, T& out, const char* type_name);

  YAML::Node node_;
  std::string file_;
  std::string prefix_;
  std::set<std::string, std::less<>> read_;
  std::optional<Error> error_;
};

}  // namespace leakcheck

#include "collector/cursor_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "collector/json_text.h"
#include "util/file_io.h"
#include "util/unique_fd.h"

namespace leakcheck::collector {

namespace {

using Json = nlohmann::ordered_json;  // keeps the keys in the documented order

constexpr int kFormat = 1;
constexpr std::string_view kSuffix = ".cursor.json";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr size_t kHashHexDigits = 16;

template <typename Int>
void append_int(std::string& out, Int value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;  // 24 bytes hold any 64-bit integer
  out.append(digits, end);
}

std::string hash_hex(uint64_t hash) {
  std::string hex(kHashHexDigits, '0');
  for (size_t i = kHashHexDigits; i-- > 0; hash >>= 4) hex[i] = "0123456789abcdef"[hash & 0xf];
  return hex;
}

Result<uint64_t> parse_hash_hex(const Json& value) {
  const std::string* text = value.get_ptr<const std::string*>();
  if (text == nullptr || text->size() != kHashHexDigits) return Error{0, "a hash is not 16 hex digits"};
  uint64_t hash = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), hash, 16);
  if (ec != std::errc() || ptr != text->data() + text->size()) return Error{0, "a hash is not 16 hex digits"};
  return hash;
}

// JSON integers arrive as unsigned when non-negative: accept both, in range.
Result<int64_t> parse_int64(const Json& value, std::string_view what) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    return value.get<int64_t>();
  }
  return Error{0, std::string(what) + " is not a 64-bit integer"};
}

const Json* find_field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

Result<BoundaryEntry> parse_entry(const Json& value, int64_t cursor_ns) {
  if (!value.is_array() || value.size() != 3)
    return Error{0, "a boundary entry is not [timestamp_ns, hash, count]"};
  auto timestamp_ns = parse_int64(value[0], "a boundary timestamp");
  if (!timestamp_ns) return timestamp_ns.error();
  if (*timestamp_ns < cursor_ns) return Error{0, "a boundary entry is before timestamp_ns"};
  auto hash = parse_hash_hex(value[1]);
  if (!hash) return hash.error();
  auto count = parse_int64(value[2], "a boundary count");
  if (!count) return count.error();
  if (*count < 1 || *count > UINT32_MAX) return Error{0, "a boundary count is out of range"};
  return BoundaryEntry{*timestamp_ns, *hash, static_cast<uint32_t>(*count)};
}

// Each write is durable before the rename makes it the cursor.
Status write_synced(int dir_fd, const std::string& name, const std::string& path, std::string_view data) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno_error("create " + path);
  while (!data.empty()) {
    const ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return errno_error("fsync " + path);
  if (::close(fd.release()) != 0) return errno_error("close " + path);
  return Ok{};
}

// Creates the state dir (and missing parents). A new directory's own entry is
// durable only once its parent is synced.
Status make_dir_durable(const std::string& dir) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ec.value(), "create state dir " + dir};
  if (!created) return Ok{};
  std::string parent = std::filesystem::path(dir).parent_path().string();
  if (parent.empty()) parent = ".";
  UniqueFd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd) return errno_error("open " + parent);
  if (::fsync(parent_fd.get()) != 0) return errno_error("fsync " + parent);
  return Ok{};
}

}  // namespace

bool is_container_id(std::string_view id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string format_cursor(const Cursor& cursor) {
  // By hand: a boundary holds up to thousands of entries, and a document
  // built for it cost more than the lines whose delivery it records.
  std::string out;
  out.reserve(96 + cursor.boundary.size() * 48);
  out += "{\"format\":";
  append_int(out, kFormat);
  out += ",\"container_id\":";
  // Escaped: an id that is not one must not break the JSON (save() refuses such ids anyway).
  append_json_string(out, cursor.container_id);
  out += ",\"timestamp_ns\":";
  append_int(out, cursor.timestamp_ns);
  out += ",\"boundary\":[";
  for (size_t i = 0; i < cursor.boundary.size(); ++i) {
    const BoundaryEntry& entry = cursor.boundary[i];
    out += i == 0 ? "[" : ",[";
    append_int(out, entry.timestamp_ns);
    out += ",\"";
    out += hash_hex(entry.hash);
    out += "\",";
    append_int(out, entry.count);
    out += ']';
  }
  out += "]}\n";
  return out;
}

Result<Cursor> parse_cursor(std::string_view text) {
  const Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{0, "not valid JSON"};
  if (!doc.is_object()) return Error{0, "not a JSON object"};

  const Json* format = find_field(doc, "format");
  if (format == nullptr || !format->is_number_integer() || format->get<int64_t>() != kFormat)
    return Error{0, "\"format\" is not 1"};

  Cursor cursor;
  const Json* id = find_field(doc, "container_id");
  if (id == nullptr || !id->is_string() || !is_container_id(id->get_ref<const std::string&>()))
    return Error{0, "\"container_id\" is not a 64-hex-digit container id"};
  cursor.container_id = id->get<std::string>();

  const Json* timestamp = find_field(doc, "timestamp_ns");
  if (timestamp == nullptr) return Error{0, "\"timestamp_ns\" is missing"};
  auto timestamp_ns = parse_int64(*timestamp, "\"timestamp_ns\"");
  if (!timestamp_ns) return timestamp_ns.error();
  cursor.timestamp_ns = *timestamp_ns;

  const Json* boundary = find_field(doc, "boundary");
  if (boundary == nullptr || !boundary->is_array()) return Error{0, "\"boundary\" is not an array"};
  for (const Json& value : *boundary) {
    auto entry = parse_entry(value, cursor.timestamp_ns);
    if (!entry) return entry.error();
    cursor.boundary.push_back(*entry);
  }
  return cursor;
}

CursorStore::CursorStore(std::string state_dir) : state_dir_(std::move(state_dir)) {
  // "dir/" would make "dir" its own parent when a new dir is synced.
  while (state_dir_.size() > 1 && state_dir_.back() == '/') state_dir_.pop_back();
}

std::string CursorStore::path_for(std::string_view container_id) const {
  return state_dir_ + "/" + std::string(container_id) + std::string(kSuffix);
}

Result<std::vector<Cursor>> CursorStore::load() const {
  std::vector<Cursor> cursors;
  std::error_code ec;
  std::filesystem::directory_iterator it(state_dir_, ec);
  if (ec == std::errc::no_such_file_or_directory) return cursors;  // first run
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Anything else, e.g. the temp file of a save that did not finish (its
    // rename never happened, so the file beside it is the cursor), is not one.
    if (!name.ends_with(kSuffix)) continue;
    const std::string path = it->path().string();
    auto text = read_file(path);
    if (!text) return text.error();
    auto cursor = parse_cursor(*text);
    if (!cursor) return Error{0, "corrupt cursor file " + path + ": " + cursor.error().context};
    if (name != cursor->container_id + std::string(kSuffix))
      return Error{0, "corrupt cursor file " + path + ": it holds the cursor of " + cursor->container_id};
    cursors.push_back(std::move(*cursor));
  }
  if (ec) return Error{ec.value(), "list state dir " + state_dir_};
  std::sort(cursors.begin(), cursors.end(),
            [](const Cursor& a, const Cursor& b) { return a.container_id < b.container_id; });
  return cursors;
}

Status CursorStore::save(const Cursor& cursor) const {
  if (!is_container_id(cursor.container_id))
    return Error{0, "save cursor: \"" + cursor.container_id + "\" is not a full container id"};
  if (auto made = make_dir_durable(state_dir_); !made) return made;
  UniqueFd dir(::open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return errno_error("open state dir " + state_dir_);

  const std::string name = cursor.container_id + std::string(kSuffix);
  const std::string temp_name = name + std::string(kTempSuffix);
  const std::string path = path_for(cursor.container_id);
  const std::string temp_path = path + std::string(kTempSuffix);
  Status written = write_synced(dir.get(), temp_name, temp_path, format_cursor(cursor));
  if (written && ::renameat(dir.get(), temp_name.c_str(), dir.get(), name.c_str()) != 0)
    written = errno_error("rename " + temp_path + " to " + path);
  if (!written) {
    // Best effort: the caller needs the first error, not this one, and a
    // leftover temp file is harmless (load skips it, the next save truncates it).
    (void)::unlinkat(dir.get(), temp_name.c_str(), 0);
    return written;
  }
  // The rename is durable once the directory is.
  if (::fsync(dir.get()) != 0) return errno_error("fsync state dir " + state_dir_);
  return Ok{};
}

Status CursorStore::forget(std::string_view container_id) const {
  if (!is_container_id(container_id))
    return Error{0, "forget cursor: \"" + std::string(container_id) + "\" is not a full container id"};
  UniqueFd dir(::open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    if (errno == ENOENT) return Ok{};  // no state dir: no cursor to forget
    return errno_error("open state dir " + state_dir_);
  }
  for (const std::string& name : {std::string(container_id) + std::string(kSuffix) + std::string(kTempSuffix),
                                  std::string(container_id) + std::string(kSuffix)}) {
    if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT)
      return errno_error("delete " + state_dir_ + "/" + name);
  }
  if (::fsync(dir.get()) != 0) return errno_error("fsync state dir " + state_dir_);
  return Ok{};
}

}  // namespace leakcheck::collector

#include "receiver/push_body.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

namespace leakcheck::receiver {

namespace {

using nlohmann::json;

Error malformed(const std::string& what) { return Error{0, "malformed push body: " + what}; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool is_decimal(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// The `stream` label of a stream object's labels; an error when the labels
// are not an object of strings (Loki rejects that too).
Result<StreamLabel> stream_label(const json& labels, const std::string& where) {
  if (!labels.is_object()) return malformed(where + " is not an object of labels");
  StreamLabel label = StreamLabel::absent;
  for (const auto& [name, value] : labels.items()) {
    if (!value.is_string()) return malformed(where + "." + name + " is not a string");
    if (name != "stream") continue;
    const auto& text = value.get_ref<const std::string&>();
    label = text == "stdout" ? StreamLabel::stdout_stream
            : text == "stderr" ? StreamLabel::stderr_stream
                               : StreamLabel::other;
  }
  return label;
}

// A zlib inflate stream, ended on every path.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK; }  // 16+: gzip wrapper only
  ~Inflater() {
    if (ok_) inflateEnd(&z_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& z() { return z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace

PushBody::PushBody() : doc_(std::make_unique<json>()) {}
PushBody::PushBody(PushBody&&) noexcept = default;
PushBody& PushBody::operator=(PushBody&&) noexcept = default;
PushBody::~PushBody() = default;

Result<PushBody> PushBody::parse(std::string_view json_text) {
  PushBody body;
  json& doc = *body.doc_;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    return malformed(std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("streams") || !doc["streams"].is_array())
    return malformed("no \"streams\" array");

  const json& streams = doc["streams"];
  body.stream_count_ = streams.size();
  for (size_t i = 0; i < streams.size(); ++i) {
    std::string where = "streams[" + std::to_string(i) + "]";
    const json& stream = streams[i];
    if (!stream.is_object()) return malformed(where + " is not an object");
    // Loki requires the labels; a missing "stream" object is an error there too.
    if (!stream.contains("stream")) return malformed(where + " has no \"stream\" labels");
    auto label = stream_label(stream["stream"], where + ".stream");
    if (!label) return label.error();
    if (!stream.contains("values") || !stream["values"].is_array())
      return malformed(where + " has no \"values\" array");
    const json& values = stream["values"];
    for (size_t j = 0; j < values.size(); ++j) {
      std::string at = where + ".values[" + std::to_string(j) + "]";
      const json& value = values[j];
      if (!value.is_array() || value.size() < 2 || value.size() > 3 || !value[1].is_string())
        return malformed(at + " is not [timestamp, line]");
      if (!value[0].is_string() || !is_decimal(value[0].get_ref<const std::string&>()))
        return malformed(at + "[0] is not a timestamp in ns");
      body.entries_.push_back(PushEntry{*label, value[1].get_ref<const std::string&>()});
    }
  }
  return body;
}

bool supported_content_encoding(std::string_view content_encoding) {
  std::string e = lower(content_encoding);
  return e.empty() || e == "identity" || e == "gzip" || e == "x-gzip";
}

Result<std::string> gunzip(std::string_view data, size_t max_output_bytes) {
  Inflater inflater;
  if (!inflater.ok()) return Error{0, "gzip: cannot initialise zlib"};
  z_stream& z = inflater.z();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  size_t in_left = data.size();
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    // avail_in is 32 bits: feed a very large input in pieces.
    if (z.avail_in == 0 && in_left > 0) {
      z.avail_in = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
      in_left -= z.avail_in;
    }
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_t produced = sizeof buf - z.avail_out;
    if (out.size() + produced > max_output_bytes)
      return Error{0, "gzip: body inflates to more than " + std::to_string(max_output_bytes) + " bytes"};
    out.append(buf, produced);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0 && in_left == 0) return out;
      // Another member follows (concatenated gzip files are one gzip file).
      if (inflateReset(&z) != Z_OK) return Error{0, "gzip: cannot reset zlib"};
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0) return Error{0, "gzip: data cut short"};
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Error{0, std::string("gzip: ") + (z.msg ? z.msg : "invalid data")};
  }
}

Result<PushBody> parse_push_request(std::string_view body, std::string_view content_encoding,
                                    size_t max_decoded_bytes) {
  std::string encoding = lower(content_encoding);
  if (encoding == "gzip" || encoding == "x-gzip") {
    auto text = gunzip(body, max_decoded_bytes);
    if (!text) return text.error();
    return PushBody::parse(*text);
  }
  if (!supported_content_encoding(encoding))
    return Error{0, "unsupported Content-Encoding \"" + std::string(content_encoding) + "\""};
  return PushBody::parse(body);
}

}  // namespace leakcheck::receiver

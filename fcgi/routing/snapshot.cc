// The routing snapshot file: its format, its atomic write and the reloading reader.
#include "routing/snapshot.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "store/durable_file.h"

namespace switchboard::routing {

std::string snapshot_path(const config::Settings& settings) { return settings.state_dir + "/routing.json"; }

std::optional<Version> parse_snapshot(const std::string& text, std::string* error) {
  const auto fail = [&](const std::string& why) -> std::optional<Version> {
    if (error != nullptr) *error = why;
    return std::nullopt;
  };
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) return fail("not a JSON object");
  const auto version = document.FindMember("version");
  const auto routing = document.FindMember("routing");
  if (version == document.MemberEnd() || !version->value.IsInt64() || version->value.GetInt64() < 0) {
    return fail("no version number");
  }
  if (routing == document.MemberEnd()) return fail("no routing document");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  routing->value.Accept(writer);
  Parsed parsed = parse(std::string_view(buffer.GetString(), buffer.GetSize()));
  if (!parsed.routing) {
    const routing::Invalid& invalid = *parsed.invalid;
    return fail(invalid.field.empty() ? "routing: " + invalid.why : "routing." + invalid.message());
  }
  Version result;
  result.number = version->value.GetInt64();
  result.routing = std::move(*parsed.routing);
  const auto at = document.FindMember("changed_at_ms");
  if (at != document.MemberEnd() && at->value.IsInt64()) result.changed_at_ms = at->value.GetInt64();
  const auto by = document.FindMember("changed_by");
  if (by != document.MemberEnd() && by->value.IsString()) result.changed_by = by->value.GetString();
  return result;
}

std::string snapshot_json(const Version& version) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Int64(version.number);
  writer.Key("changed_at_ms");
  if (version.changed_at_ms) writer.Int64(*version.changed_at_ms);
  else writer.Null();
  writer.Key("changed_by");
  if (version.changed_by) writer.String(version.changed_by->c_str());
  else writer.Null();
  writer.Key("routing");
  const std::string routing = to_json(version.routing);
  writer.RawValue(routing.data(), routing.size(), rapidjson::kObjectType);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

void write_snapshot(const std::string& path, const Version& version) {
  const size_t slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash);
  store::replace_durably(directory, path, snapshot_json(version));
}

Snapshot::Snapshot(std::string path, Routing initial, std::chrono::milliseconds check_interval)
    : path_(std::move(path)), check_interval_(check_interval) {
  initial_.routing = std::move(initial);
  current_ = initial_;
  reload();
}

const Version& Snapshot::current() {
  const auto now = std::chrono::steady_clock::now();
  if (check_interval_.count() == 0 || now >= next_check_) {
    next_check_ = now + check_interval_;
    reload();
  }
  return current_;
}

void Snapshot::reload() {
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0) {
    // Never saved on this host yet: the environment's routing. A file that vanished keeps the last one it held.
    if (seen_.inode == -1) current_ = initial_;
    return;
  }
  const FileId id{static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec,
                  static_cast<std::int64_t>(info.st_size), static_cast<std::int64_t>(info.st_ino)};
  if (id == seen_) return;
  seen_ = id;
  std::ifstream file(path_);
  std::stringstream text;
  text << file.rdbuf();
  std::string error;
  std::optional<Version> version = file ? parse_snapshot(text.str(), &error) : std::nullopt;
  if (!file) error = "cannot be read";
  if (!version) {
    std::cerr << "switchboard: routing snapshot " << path_ << " " << error << "; routing version "
              << current_.number << " stays in force\n";
    return;
  }
  current_ = std::move(*version);
}

}  // namespace switchboard::routing

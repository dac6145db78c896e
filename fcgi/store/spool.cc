// Spool files: <dir>/events.spool receives appends; replay renames it to <dir>/batch-<ms>-<pid>.spool and consumes
// batch files in name order. Refused events: <dir>/dead-letter/<dedup key>.json, each written whole to a temporary
// name and renamed, so a reader (or an operator moving one back) never sees half a file.
#include "store/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "store/call_store.h"
#include "store/durable_file.h"
#include "text/utf8.h"

namespace switchboard::store {

namespace {

constexpr char kActiveFile[] = "events.spool";
constexpr char kReserveFile[] = "reserve";
constexpr char kAppendLock[] = "append.lock";
constexpr char kReplayLock[] = "replay.lock";
constexpr char kDeadLetterDirectory[] = "dead-letter";
constexpr char kDeadLetterSuffix[] = ".json";

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& writer, const std::string& value) {
  const std::string clean = text::valid_utf8(value);
  writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
}

void write_optional(Writer& writer, const char* key, const std::optional<std::string>& value) {
  if (!value) return;
  writer.Key(key);
  write_string(writer, *value);
}

// A JSON string as valid UTF-8, or nullopt. RapidJSON decodes a lone "\udc00" escape into bytes that are not
// UTF-8; the spool never writes one, so such a line is not ours.
std::optional<std::string> utf8_string(const rapidjson::Value& value) {
  if (!value.IsString()) return std::nullopt;
  std::string text(value.GetString(), value.GetStringLength());
  if (text::valid_utf8(text) != text) return std::nullopt;
  return text;
}

std::optional<std::string> optional_member(const rapidjson::Value& object, const char* key) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd()) return std::nullopt;
  return utf8_string(member->value);
}

// An open file descriptor with an flock held, released on destruction.
class LockedFile {
 public:
  LockedFile(const std::string& path, int operation) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    while (::flock(fd_, operation) != 0) {
      if (errno == EINTR) continue;
      ::close(fd_);
      fd_ = -1;
      if (errno == EWOULDBLOCK) return;
      throw std::runtime_error("cannot lock " + path + ": " + std::strerror(errno));
    }
  }
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::vector<std::string> batch_files(const std::string& directory) {
  std::vector<std::string> names;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory.c_str()), ::closedir);
  if (!dir) return names;
  while (dirent* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name.rfind("batch-", 0) == 0 && name.size() > 6 && name.compare(name.size() - 6, 6, ".spool") == 0) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool file_has_data(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && info.st_size > 0;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Creates `path` (one level) and makes its entry durable in the parent; an existing directory is fine.
void make_directory(const std::string& parent, const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) {
    fsync_directory(parent);
  } else if (errno != EEXIST) {
    throw std::runtime_error(errno_text("cannot create " + path));
  }
}

// Appends `data` to `path` and fsyncs it.
void append_durably(const std::string& path, const std::string& data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(errno_text("cannot open " + path));
  try {
    write_all(fd, data);
    if (::fsync(fd) != 0) throw std::runtime_error(errno_text("cannot fsync " + path));
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

// Calls `visit(size)` for each dead-letter file (not the temporaries) in `directory`.
template <typename Visit>
void for_each_dead_letter(const std::string& directory, Visit&& visit) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory.c_str()), ::closedir);
  if (!dir) return;
  const std::string suffix = kDeadLetterSuffix;
  while (dirent* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name.empty() || name[0] == '.' || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    struct stat info {};
    if (::stat((directory + "/" + name).c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      visit(static_cast<std::uint64_t>(info.st_size));
    }
  }
}

void write_event_members(Writer& writer, const Event& event) {
  writer.Key("call_sid");
  write_string(writer, event.call_sid);
  writer.Key("kind");
  write_string(writer, event.kind);
  writer.Key("url_query");
  write_string(writer, event.url_query);
  writer.Key("received_at_ms");
  writer.Int64(event.received_at_ms);
  write_optional(writer, "menu_choice", event.menu_choice);
  write_optional(writer, "forwarded_to", event.forwarded_to);
  write_optional(writer, "routing_rule", event.routing_rule);
  write_optional(writer, "routing_detail", event.routing_detail);
  if (event.text_back) {
    writer.Key("text_back");
    writer.Bool(*event.text_back);
  }
  writer.Key("params");
  writer.StartArray();
  for (const auto& [name, value] : event.params) {
    writer.StartArray();
    write_string(writer, name);
    write_string(writer, value);
    writer.EndArray();
  }
  writer.EndArray();
}

}  // namespace

std::string encode_spool_line(const Event& event) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  write_event_members(writer, event);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string encode_dead_letter_line(const Event& event, const Rejection& why, std::int64_t at_ms) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  write_event_members(writer, event);
  writer.Key("rejection");
  writer.StartObject();
  writer.Key("code");
  writer.Int(why.code);
  writer.Key("sql_state");
  write_string(writer, why.sql_state);
  writer.Key("message");
  write_string(writer, why.message);
  writer.Key("at_ms");
  writer.Int64(at_ms);
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<Event> decode_spool_line(const std::string& line) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(line.data(), line.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  Event event;
  const auto sid = optional_member(document, "call_sid");
  const auto kind = optional_member(document, "kind");
  const auto received = document.FindMember("received_at_ms");
  const auto params = document.FindMember("params");
  if (!sid || !kind || received == document.MemberEnd() || !received->value.IsInt64() ||
      params == document.MemberEnd() || !params->value.IsArray()) {
    return std::nullopt;
  }
  event.call_sid = *sid;
  event.kind = *kind;
  event.url_query = optional_member(document, "url_query").value_or("");
  event.received_at_ms = received->value.GetInt64();
  event.menu_choice = optional_member(document, "menu_choice");
  event.forwarded_to = optional_member(document, "forwarded_to");
  event.routing_rule = optional_member(document, "routing_rule");
  event.routing_detail = optional_member(document, "routing_detail");
  const auto text_back = document.FindMember("text_back");
  if (text_back != document.MemberEnd() && text_back->value.IsBool()) event.text_back = text_back->value.GetBool();
  for (const auto& pair : params->value.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2) return std::nullopt;
    auto name = utf8_string(pair[0]);
    auto value = utf8_string(pair[1]);
    if (!name || !value) return std::nullopt;
    event.params.emplace_back(std::move(*name), std::move(*value));
  }
  return event;
}

Spool::Spool(std::string directory) : directory_(std::move(directory)) {}

void Spool::append(const Event& event) {
  ::mkdir(directory_.c_str(), 0700);
  const std::string line = encode_spool_line(event) + "\n";
  LockedFile lock(directory_ + "/" + kAppendLock, LOCK_EX);
  try {
    append_line(line);
  } catch (const DiskFull&) {
    // Something else filled the disk (kept requests during a long pool outage, logs): give the reserve back to the
    // filesystem and write the event into it. A line torn by the failed attempt is set aside at replay.
    if (!release_reserve()) throw;
    std::fprintf(stderr, "switchboard: disk full; the spool's reserve (%s) is now in use\n", kReserveFile);
    append_line(line);
  }
}

void Spool::append_line(const std::string& line) {
  const std::string path = directory_ + "/" + kActiveFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw_io_error("cannot open " + path);
  try {
    // A worker killed mid-write leaves a line without its newline; start on a fresh line so this event is not
    // glued to the torn one (replay skips empty lines and sets unreadable ones aside).
    char last = '\n';
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end > 0 && ::pread(fd, &last, 1, end - 1) == 1 && last != '\n') write_all(fd, "\n");
    write_all(fd, line);
    if (::fsync(fd) != 0) throw_io_error("spool fsync failed");
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

bool Spool::keep_reserve(std::uint64_t bytes) {
  const std::string path = directory_ + "/" + kReserveFile;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && static_cast<std::uint64_t>(info.st_size) >= bytes) return true;
  ::mkdir(directory_.c_str(), 0700);
  // Allocated for real (not a sparse file), under another name until complete, so a reserve is whole or absent.
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool allocated = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!allocated || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return false;
  }
  return true;
}

bool Spool::release_reserve() { return ::unlink((directory_ + "/" + kReserveFile).c_str()) == 0; }

bool Spool::has_reserve() const {
  struct stat info {};
  return ::stat((directory_ + "/" + kReserveFile).c_str(), &info) == 0 && info.st_size > 0;
}

bool Spool::pending() const {
  return file_has_data(directory_ + "/" + kActiveFile) || !batch_files(directory_).empty();
}

std::uint64_t Spool::pending_bytes() const {
  std::uint64_t bytes = 0;
  std::vector<std::string> files = batch_files(directory_);
  files.push_back(kActiveFile);
  for (const std::string& name : files) {
    struct stat info {};
    if (::stat((directory_ + "/" + name).c_str(), &info) == 0) bytes += static_cast<std::uint64_t>(info.st_size);
  }
  return bytes;
}

namespace {

// How `apply` ended for one event.
enum class Applied { kStored, kUnavailable, kRefused };

Applied try_apply(const std::function<void(const Event&)>& apply, const Event& event, Rejection& why) {
  try {
    apply(event);
    return Applied::kStored;
  } catch (const Unavailable&) {
    return Applied::kUnavailable;
  } catch (const Rejected& rejected) {
    why = rejected.rejection();
  } catch (const std::exception& error) {
    // Not the database's verdict but ours (a bug, memory): still not a reason to hold back every later event.
    why = Rejection{0, "", error.what()};
  } catch (...) {
    why = Rejection{0, "", "unknown exception"};
  }
  return Applied::kRefused;
}

}  // namespace

ReplayResult Spool::replay(const std::function<void(const Event&)>& apply) {
  ReplayResult result;
  ::mkdir(directory_.c_str(), 0700);
  LockedFile replaying(directory_ + "/" + kReplayLock, LOCK_EX | LOCK_NB);
  if (!replaying.held()) return result;

  {
    // Move the active file aside under the append lock, so no append is split between two files.
    LockedFile appending(directory_ + "/" + kAppendLock, LOCK_EX);
    const std::string active = directory_ + "/" + kActiveFile;
    if (file_has_data(active)) {
      static unsigned sequence = 0;  // two replays within one millisecond must not reuse a name
      char name[128];
      std::snprintf(name, sizeof name, "/batch-%015lld-%d-%06u.spool", static_cast<long long>(now_ms()),
                    static_cast<int>(::getpid()), sequence++ % 1000000);
      if (::rename(active.c_str(), (directory_ + name).c_str()) != 0) {
        throw std::runtime_error("cannot move spool aside: " + std::string(std::strerror(errno)));
      }
    }
  }

  // Settles one event `apply` refused: dead-letter first (so it is kept before anything else happens), then its
  // marker. False when the replay has to stop here, with the batch kept: the dead-letter could not be written, or
  // the database went away before the marker was stored (the event is refused again next time, replacing its
  // dead-letter file, and the marker is tried again).
  const auto settle_refused = [&](const std::string& batch, const Event& event, const Rejection& why) {
    try {
      dead_letter(event, why);
    } catch (const std::exception& error) {
      result.kept_batches.push_back(batch + ": cannot dead-letter a refused event: " + error.what());
      return false;
    }
    ++result.dead_lettered;
    if (is_rejection_marker(event)) return true;
    const Event marker = rejection_marker(event, why, now_ms());
    Rejection marker_refused;
    switch (try_apply(apply, marker, marker_refused)) {
      case Applied::kStored:
        return true;
      case Applied::kUnavailable:
        return false;
      case Applied::kRefused:
        break;
    }
    try {
      dead_letter(marker, marker_refused);
    } catch (const std::exception& error) {
      result.kept_batches.push_back(batch + ": cannot dead-letter a refused marker: " + error.what());
      return false;
    }
    ++result.dead_lettered;
    return true;
  };

  for (const std::string& name : batch_files(directory_)) {
    const std::string path = directory_ + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) {
      // Kept as it is: an unreadable file is not an empty one. Tried again on the next replay.
      result.kept_batches.push_back(errno_text(name + ": cannot open"));
      continue;
    }
    std::string line;
    std::vector<std::string> unreadable;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const std::optional<Event> event = decode_spool_line(line);
      if (!event) {
        unreadable.push_back(line);
        continue;
      }
      Rejection why;
      switch (try_apply(apply, *event, why)) {
        case Applied::kStored:
          ++result.replayed;
          continue;
        case Applied::kUnavailable:
          // Everything from here on stays in this batch file; already-applied lines will be no-ops next time.
          result.finished = false;
          return result;
        case Applied::kRefused:
          if (!settle_refused(name, *event, why)) {
            result.finished = false;
            return result;
          }
          continue;
      }
    }
    if (in.bad()) {
      // A read error is not the end of the file: what was not read is still only here. The lines already applied
      // are duplicates next time, the dead-lettered ones replace their own files, the unreadable ones are found
      // again.
      result.kept_batches.push_back(errno_text(name + ": read failed"));
      continue;
    }
    if (!unreadable.empty()) {
      std::string text;
      for (const std::string& bad_line : unreadable) text += bad_line + "\n";
      try {
        append_durably(path + ".bad", text);
      } catch (const std::exception& error) {
        result.kept_batches.push_back(name + ": cannot set unreadable lines aside: " + error.what());
        continue;
      }
      result.unreadable += static_cast<int>(unreadable.size());
    }
    ::unlink(path.c_str());
  }
  return result;
}

std::string Spool::dead_letter_directory() const { return directory_ + "/" + kDeadLetterDirectory; }

void Spool::dead_letter(const Event& event, const Rejection& why) {
  ::mkdir(directory_.c_str(), 0700);
  const std::string directory = dead_letter_directory();
  make_directory(directory_, directory);
  replace_durably(directory, directory + "/" + event.dedup_key() + kDeadLetterSuffix,
                  encode_dead_letter_line(event, why, now_ms()) + "\n");
}

std::uint64_t Spool::dead_letter_count() const {
  std::uint64_t count = 0;
  for_each_dead_letter(dead_letter_directory(), [&](std::uint64_t) { ++count; });
  return count;
}

std::uint64_t Spool::dead_letter_bytes() const {
  std::uint64_t bytes = 0;
  for_each_dead_letter(dead_letter_directory(), [&](std::uint64_t size) { bytes += size; });
  return bytes;
}

}  // namespace switchboard::store

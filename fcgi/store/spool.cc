// Spool files: <dir>/events.spool receives appends; replay renames it to <dir>/batch-<ms>-<pid>.spool and consumes
// batch files in name order.
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

#include "text/utf8.h"

namespace switchboard::store {

namespace {

constexpr char kActiveFile[] = "events.spool";
constexpr char kAppendLock[] = "append.lock";
constexpr char kReplayLock[] = "replay.lock";

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

void write_all(int fd, const std::string& data) {
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("spool write failed: ") + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
}

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

}  // namespace

std::string encode_spool_line(const Event& event) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
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
  writer.Key("params");
  writer.StartArray();
  for (const auto& [name, value] : event.params) {
    writer.StartArray();
    write_string(writer, name);
    write_string(writer, value);
    writer.EndArray();
  }
  writer.EndArray();
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
  const std::string path = directory_ + "/" + kActiveFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  try {
    // A worker killed mid-write leaves a line without its newline; start on a fresh line so this event is not
    // glued to the torn one (replay skips empty lines and sets unreadable ones aside).
    char last = '\n';
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end > 0 && ::pread(fd, &last, 1, end - 1) == 1 && last != '\n') write_all(fd, "\n");
    write_all(fd, line);
    if (::fsync(fd) != 0) throw std::runtime_error(std::string("spool fsync failed: ") + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
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
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
      static unsigned sequence = 0;  // two replays within one millisecond must not reuse a name
      char name[128];
      std::snprintf(name, sizeof name, "/batch-%015lld-%d-%06u.spool", static_cast<long long>(now_ms),
                    static_cast<int>(::getpid()), sequence++ % 1000000);
      if (::rename(active.c_str(), (directory_ + name).c_str()) != 0) {
        throw std::runtime_error("cannot move spool aside: " + std::string(std::strerror(errno)));
      }
    }
  }

  for (const std::string& name : batch_files(directory_)) {
    const std::string path = directory_ + "/" + name;
    std::ifstream in(path);
    std::string line;
    std::vector<std::string> unreadable;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const std::optional<Event> event = decode_spool_line(line);
      if (!event) {
        unreadable.push_back(line);
        continue;
      }
      try {
        apply(*event);
        ++result.replayed;
      } catch (const std::exception&) {
        // Everything from here on stays in this batch file; already-applied lines will be no-ops next time.
        result.finished = false;
        return result;
      }
    }
    if (!unreadable.empty()) {
      std::ofstream bad(path + ".bad", std::ios::app);
      for (const std::string& text : unreadable) bad << text << "\n";
      result.unreadable += static_cast<int>(unreadable.size());
    }
    ::unlink(path.c_str());
  }
  return result;
}

}  // namespace switchboard::store

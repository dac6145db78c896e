// Kept-request files: decoding nginx's records (log_format switchboard_kept, escape=json), claiming, dead letters,
// and the size cap. See kept_requests.h for the life of a file.
#include "server/kept_requests.h"

#include <dirent.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#include "server/form_parser.h"
#include "server/nginx_fallbacks.h"
#include "store/durable_file.h"

namespace switchboard::server {

namespace {

constexpr char kPrefix[] = "kept-";
constexpr char kSuffix[] = ".json";
constexpr char kClaimMark[] = ".claimed-";
constexpr char kDeadDirectory[] = "dead";

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_kept_name(const std::string& name) {
  return name.rfind(kPrefix, 0) == 0 && name.size() > sizeof kPrefix + sizeof kSuffix && ends_with(name, kSuffix);
}

// "kept-….json.claimed-123" → 123; 0 when the name is not a claim.
pid_t claimer_of(const std::string& name) {
  const size_t mark = name.rfind(kClaimMark);
  if (mark == std::string::npos || !is_kept_name(name.substr(0, mark))) return 0;
  const std::string digits = name.substr(mark + sizeof kClaimMark - 1);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return static_cast<pid_t>(std::stol(digits));
}

std::string unclaimed_name(const std::string& name) {
  const size_t mark = name.rfind(kClaimMark);
  return mark == std::string::npos ? name : name.substr(0, mark);
}

struct Entry {
  std::string name;
  struct stat info;
};

std::vector<Entry> entries(const std::string& directory) {
  std::vector<Entry> found;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory.c_str()), ::closedir);
  if (!dir) return found;
  while (dirent* entry = ::readdir(dir.get())) {
    Entry item{entry->d_name, {}};
    if (item.name[0] == '.') continue;
    if (::stat((directory + "/" + item.name).c_str(), &item.info) != 0 || !S_ISREG(item.info.st_mode)) continue;
    found.push_back(std::move(item));
  }
  return found;
}

bool stale_claim(const Entry& entry, std::time_t now) {
  const pid_t pid = claimer_of(entry.name);
  if (pid <= 0) return false;
  // rename() sets ctime: a claim older than kStaleClaim outlived any request's handling (a reused pid, a hung worker,
  // or one of ours whose file could not be read).
  const bool too_old = entry.info.st_ctime < now - std::chrono::duration_cast<std::chrono::seconds>(kStaleClaim).count();
  if (pid == ::getpid()) return too_old;  // otherwise ours, in hand right now
  const bool claimer_gone = ::kill(pid, 0) != 0 && errno == ESRCH;
  return claimer_gone || too_old;
}

}  // namespace

KeptRequests::KeptRequests(std::string directory, std::uint64_t cap_bytes)
    : directory_(std::move(directory)), cap_bytes_(cap_bytes) {}

std::vector<std::string> KeptRequests::claim(int limit) {
  // Names only first (a backlog can be thousands of files): sorted by the name without its claim mark, which starts
  // with nginx's $msec, so time order whether claimed before or not; then a stat for each until the batch is full.
  std::vector<std::string> names;
  {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory_.c_str()), ::closedir);
    if (!dir) return {};
    while (dirent* entry = ::readdir(dir.get())) {
      const std::string name = entry->d_name;
      if (is_kept_name(name) || claimer_of(name) > 0) names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return unclaimed_name(a) < unclaimed_name(b); });
  const std::time_t now = std::time(nullptr);
  std::vector<std::string> claimed;
  for (const std::string& name : names) {
    if (static_cast<int>(claimed.size()) >= limit) break;
    Entry entry{name, {}};
    if (::stat((directory_ + "/" + name).c_str(), &entry.info) != 0 || !S_ISREG(entry.info.st_mode)) continue;
    // nginx creates the file, then writes the record: only a non-empty file a second old is surely complete.
    const bool settled = is_kept_name(name) && entry.info.st_size > 0 && entry.info.st_mtime < now - 1;
    if (!settled && !stale_claim(entry, now)) continue;
    // Every worker looks at this directory: only the one whose rename succeeds replays the request.
    const std::string target = directory_ + "/" + unclaimed_name(name) + kClaimMark + std::to_string(::getpid());
    if (::rename((directory_ + "/" + name).c_str(), target.c_str()) == 0) claimed.push_back(target);
  }
  return claimed;
}

std::optional<std::string> KeptRequests::read(const std::string& claimed) const {
  std::ifstream in(claimed, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return content.str();
}

void KeptRequests::done(const std::string& claimed) { ::unlink(claimed.c_str()); }

void KeptRequests::dead_letter(const std::string& claimed, const std::string& reason) {
  const std::string dead = directory_ + "/" + kDeadDirectory;
  ::mkdir(dead.c_str(), 0700);
  const std::string name = unclaimed_name(claimed.substr(claimed.rfind('/') + 1));
  // The reason first: a crash between the two leaves a claim that is replayed (and refused) again, never a dead
  // letter without its reason.
  try {
    store::replace_durably(dead, dead + "/" + name + ".reason", reason + "\n");
  } catch (const std::exception&) {
    // Without its reason the request is still better kept than lost: move it anyway.
  }
  if (::rename(claimed.c_str(), (dead + "/" + name).c_str()) != 0) {
    throw std::runtime_error("cannot move " + claimed + " to " + dead + ": " + std::strerror(errno));
  }
}

void KeptRequests::keep(const http::Request& request, std::int64_t received_at_ms) {
  ::mkdir(directory_.c_str(), 0700);
  thread_local std::mt19937_64 generator{std::random_device{}()};
  char name[96];
  std::snprintf(name, sizeof name, "/kept-%lld.%03lld-worker%d-%016llx.json",
                static_cast<long long>(received_at_ms / 1000), static_cast<long long>(received_at_ms % 1000),
                static_cast<int>(::getpid()), static_cast<unsigned long long>(generator()));
  store::replace_durably(directory_, directory_ + name, encode_kept_request(request, received_at_ms));
}

bool KeptRequests::pending() const {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory_.c_str()), ::closedir);
  if (!dir) return false;
  while (dirent* entry = ::readdir(dir.get())) {
    if (is_kept_name(entry->d_name) || claimer_of(entry->d_name) > 0) return true;
  }
  return false;
}

KeptBacklog KeptRequests::backlog() const {
  KeptBacklog backlog;
  for (const Entry& entry : entries(directory_)) {
    if (entry.name == kKeepingPausedFile) backlog.paused = true;
    if (!is_kept_name(entry.name) && claimer_of(entry.name) == 0) continue;
    ++backlog.pending;
    backlog.bytes += static_cast<std::uint64_t>(entry.info.st_size);
  }
  for (const Entry& entry : entries(directory_ + "/" + kDeadDirectory)) {
    if (is_kept_name(entry.name)) ++backlog.dead_letters;
    backlog.bytes += static_cast<std::uint64_t>(entry.info.st_size);
  }
  return backlog;
}

KeptBacklog KeptRequests::enforce_cap() {
  KeptBacklog measured = backlog();
  const std::string flag = directory_ + "/" + kKeepingPausedFile;
  if (!measured.paused && measured.bytes >= cap_bytes_) {
    ::mkdir(directory_.c_str(), 0700);
    const int fd = ::open(flag.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
    measured.paused = fd >= 0;
  } else if (measured.paused && measured.bytes < cap_bytes_ / 10 * 8) {
    measured.paused = ::unlink(flag.c_str()) != 0;
  }
  return measured;
}

std::optional<http::Request> decode_kept_request(const std::string& json) {
  rapidjson::Document record;
  record.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (record.HasParseError() || !record.IsObject()) return std::nullopt;
  const auto text = [&](const char* key) -> std::optional<std::string> {
    const auto member = record.FindMember(key);
    if (member == record.MemberEnd() || !member->value.IsString()) return std::nullopt;
    return std::string(member->value.GetString(), member->value.GetStringLength());
  };
  const auto uri = text("uri");
  const auto body = text("body");
  if (!uri || !body || uri->empty() || (*uri)[0] != '/') return std::nullopt;
  http::Request request;
  request.method = text("method").value_or("POST");
  request.request_uri = *uri;
  const std::optional<std::string> path = decoded_path(uri->substr(0, uri->find('?')));
  if (!path) return std::nullopt;
  request.path = *path;
  request.content_type = text("content_type").value_or("");
  request.twilio_signature = text("signature").value_or("");
  request.body = *body;
  // nginx's $msec: "1764147600.123". Anything else (absent, garbage, before 2001 or far in the future) is not nginx's
  // and the request counts as received now.
  if (const auto msec = text("msec")) {
    char* end = nullptr;
    const double seconds = std::strtod(msec->c_str(), &end);
    if (end != msec->c_str() && *end == '\0' && std::isfinite(seconds) && seconds > 1e9 && seconds < 1e11) {
      request.received_at_ms = static_cast<std::int64_t>(std::llround(seconds * 1000));
    }
  }
  try {
    const size_t mark = uri->find('?');
    if (mark != std::string::npos) request.query = parse_urlencoded(uri->substr(mark + 1));
    if (request.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      request.form = parse_urlencoded(request.body);
    }
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  return request;
}

std::string encode_kept_request(const http::Request& request, std::int64_t received_at_ms) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto field = [&](const char* key, const std::string& value) {
    writer.Key(key);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  char msec[32];
  std::snprintf(msec, sizeof msec, "%lld.%03lld", static_cast<long long>(received_at_ms / 1000),
                static_cast<long long>(received_at_ms % 1000));
  writer.StartObject();
  field("msec", msec);
  field("method", request.method);
  field("uri", request.request_uri);
  field("content_type", request.content_type);
  field("signature", request.twilio_signature);
  field("body", request.body);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::optional<std::string> decoded_path(const std::string& raw_path) {
  std::string path;
  for (size_t i = 0; i < raw_path.size(); ++i) {
    if (raw_path[i] != '%') {
      path += raw_path[i];
      continue;
    }
    if (i + 2 >= raw_path.size() || !std::isxdigit(static_cast<unsigned char>(raw_path[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(raw_path[i + 2]))) {
      return std::nullopt;
    }
    const char value = static_cast<char>(std::stoi(raw_path.substr(i + 1, 2), nullptr, 16));
    if (value == '\0') return std::nullopt;
    path += value;
    i += 2;
  }
  return path;
}

}  // namespace switchboard::server

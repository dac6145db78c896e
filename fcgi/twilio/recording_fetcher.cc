// Recording download with libcurl, and its publication into the cache (see the header for who shares the cache).
#include "twilio/recording_fetcher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <regex>

#include "twilio/rest_handle.h"

namespace switchboard::twilio {

namespace {

constexpr mode_t kFileMode = 0640;
constexpr mode_t kDirectoryMode = 0750;

size_t write_to_file(char* data, size_t size, size_t count, void* file) {
  return std::fwrite(data, size, count, static_cast<std::FILE*>(file)) * size;
}

std::string errno_text() { return std::strerror(errno); }

// Moves a complete download to `target`. The first complete copy stays: rename(2) would replace it, harmlessly for
// readers that have it open, but nginx's ETag (mtime and size) would change under a browser that is seeking through
// the first copy with If-Range. An empty file in the way is not a recording and is replaced.
bool publish(const std::string& partial, const std::string& target, bool& already_there) {
  already_there = false;
  if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) {
    struct stat info {};
    if (::stat(target.c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
      already_there = true;
      ::unlink(partial.c_str());
      return true;
    }
  } else if (errno != EINVAL && errno != ENOSYS) {
    return false;  // EINVAL, ENOSYS: a filesystem or kernel without RENAME_NOREPLACE; a plain rename is atomic too
  }
  return std::rename(partial.c_str(), target.c_str()) == 0;
}

}  // namespace

RecordingFetcher::RecordingFetcher(std::string api_base, std::string account_sid, std::string auth_token,
                                   std::string cache_dir, int timeout_s)
    : api_base_(std::move(api_base)),
      account_sid_(std::move(account_sid)),
      auth_token_(std::move(auth_token)),
      cache_dir_(std::move(cache_dir)),
      timeout_s_(timeout_s) {}

bool RecordingFetcher::valid_sid(const std::string& recording_sid) {
  static const std::regex shape("RE[0-9a-fA-F]{32}");
  return std::regex_match(recording_sid, shape);
}

std::string RecordingFetcher::cached_path(const std::string& recording_sid) const {
  return cache_dir_ + "/" + recording_sid + ".mp3";
}

bool RecordingFetcher::cached(const std::string& recording_sid) const {
  struct stat info {};
  return ::stat(cached_path(recording_sid).c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0;
}

FetchOutcome RecordingFetcher::fetch(const std::string& recording_sid) const {
  if (!valid_sid(recording_sid)) return {FetchResult::kNotAvailable, "not a recording SID"};
  // Normally packaging/switchboard.tmpfiles made it; one made here gets its mode whatever the umask (the notifier's
  // unit has 0077), or nginx could not reach the files in it.
  if (::mkdir(cache_dir_.c_str(), kDirectoryMode) == 0) ::chmod(cache_dir_.c_str(), kDirectoryMode);
  const std::string target = cached_path(recording_sid);
  // A name of its own per download (mkstemp): a worker and the notifier may fetch the same recording at once, and
  // nginx serves only "<RE…>.mp3", never this.
  std::string partial = target + ".part-XXXXXX";
  const int fd = ::mkstemp(partial.data());
  if (fd < 0) return {FetchResult::kFailed, "cannot write in " + cache_dir_ + ": " + errno_text()};
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(::fdopen(fd, "wb"), std::fclose);
  if (!file) {
    ::close(fd);
    ::unlink(partial.c_str());
    return {FetchResult::kFailed, "cannot write " + partial + ": " + errno_text()};
  }
  const auto failed = [&](FetchResult result, std::string detail) {
    file.reset();
    ::unlink(partial.c_str());
    return FetchOutcome{result, std::move(detail)};
  };

  CurlHandle curl = rest_handle(recording_url(api_base_, account_sid_, recording_sid, ".mp3"), account_sid_,
                                auth_token_, timeout_s_);
  if (!curl) return failed(FetchResult::kFailed, "cannot initialise libcurl");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write_to_file);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, file.get());
  const CURLcode code = curl_easy_perform(curl.get());
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);

  if (code != CURLE_OK) {
    return failed(FetchResult::kFailed, std::string("download failed: ") + curl_easy_strerror(code));
  }
  if (status == 404) return failed(FetchResult::kNotAvailable, "Twilio answered 404");
  if (status != 200) return failed(FetchResult::kFailed, "Twilio answered HTTP " + std::to_string(status));
  // Durable before it gets its name: after a crash the name must not point at a short or empty file, which a play
  // would take for the recording. The directory is not fsync'd: a name lost in a crash only costs a fetch on play.
  if (std::fflush(file.get()) != 0 || ::fsync(fd) != 0 || ::fchmod(fd, kFileMode) != 0) {
    return failed(FetchResult::kFailed, "cannot write " + partial + ": " + errno_text());
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size == 0) return failed(FetchResult::kFailed, "Twilio sent an empty file");
  if (std::fclose(file.release()) != 0) return failed(FetchResult::kFailed, "cannot write " + partial);

  bool already_there = false;
  if (!publish(partial, target, already_there)) {
    const std::string why = errno_text();
    ::unlink(partial.c_str());
    return {FetchResult::kFailed, "cannot move the download into the cache: " + why};
  }
  return {FetchResult::kStored, already_there ? "another process cached it first" : ""};
}

}  // namespace switchboard::twilio

// Recording download with libcurl.
#include "twilio/recording_fetcher.h"

#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <regex>

namespace switchboard::twilio {

namespace {

size_t write_to_file(char* data, size_t size, size_t count, void* file) {
  return std::fwrite(data, size, count, static_cast<std::FILE*>(file)) * size;
}

}  // namespace

RecordingFetcher::RecordingFetcher(std::string api_base, std::string account_sid, std::string auth_token,
                                   std::string cache_dir)
    : api_base_(std::move(api_base)),
      account_sid_(std::move(account_sid)),
      auth_token_(std::move(auth_token)),
      cache_dir_(std::move(cache_dir)) {}

bool RecordingFetcher::valid_sid(const std::string& recording_sid) {
  static const std::regex shape("RE[0-9a-fA-F]{32}");
  return std::regex_match(recording_sid, shape);
}

std::string RecordingFetcher::cached_path(const std::string& recording_sid) const {
  return cache_dir_ + "/" + recording_sid + ".mp3";
}

FetchOutcome RecordingFetcher::fetch(const std::string& recording_sid) const {
  if (!valid_sid(recording_sid)) return {FetchResult::kNotAvailable, "not a recording SID"};
  ::mkdir(cache_dir_.c_str(), 0750);
  const std::string target = cached_path(recording_sid);
  const std::string partial = target + ".part-" + std::to_string(::getpid());
  std::FILE* file = std::fopen(partial.c_str(), "wb");
  if (file == nullptr) return {FetchResult::kFailed, "cannot write " + partial};

  const std::string url = api_base_ + "/2010-04-01/Accounts/" + account_sid_ + "/Recordings/" + recording_sid + ".mp3";
  const std::string credentials = account_sid_ + ":" + auth_token_;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);  // Twilio redirects media to its storage
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 3L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_to_file);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, file);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  const bool written = std::fclose(file) == 0;

  if (code != CURLE_OK || !written) {
    ::unlink(partial.c_str());
    return {FetchResult::kFailed, std::string("download failed: ") + curl_easy_strerror(code)};
  }
  if (status == 404) {
    ::unlink(partial.c_str());
    return {FetchResult::kNotAvailable, "Twilio answered 404"};
  }
  if (status != 200) {
    ::unlink(partial.c_str());
    return {FetchResult::kFailed, "Twilio answered HTTP " + std::to_string(status)};
  }
  if (std::rename(partial.c_str(), target.c_str()) != 0) {
    ::unlink(partial.c_str());
    return {FetchResult::kFailed, "cannot move the download into the cache"};
  }
  return {FetchResult::kStored, ""};
}

}  // namespace switchboard::twilio

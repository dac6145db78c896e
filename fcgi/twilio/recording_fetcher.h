// Downloads a voicemail recording from Twilio's REST API into the local cache, so the feed can play it: Twilio's
// media URLs need the account's credentials (HTTP basic auth), which a browser must never see. libcurl, short
// timeouts; the API base URL is configurable so tests use a fake Twilio on loopback.
//
// Two kinds of process fill the same cache: switchboard-notify as soon as a recording completes (its "audio"
// channel), and a feed worker when a voicemail is played before that. Either may run while the other is fetching
// the same recording, and nginx may be serving the file meanwhile, so a download is published only whole (a private
// temporary file, fsync'd, then renamed into place) and never over a complete copy another process published first.
#pragma once

#include <string>

namespace switchboard::twilio {

enum class FetchResult {
  kStored,        // the file is now in the cache (downloaded, or another process published it first)
  kNotAvailable,  // Twilio has no such media (yet): 404
  kFailed,        // network error, timeout, another status, an empty body, or the cache cannot be written
};

struct FetchOutcome {
  FetchResult result;
  std::string detail;  // for the log
};

class RecordingFetcher {
 public:
  // Cached files are made mode 0640 whatever the process's umask: nginx reads them through the group (the
  // directory's, which packaging/switchboard.tmpfiles makes setgid). `timeout_s` bounds a whole download,
  // connecting included.
  static constexpr int kDefaultTimeoutS = 15;
  RecordingFetcher(std::string api_base, std::string account_sid, std::string auth_token, std::string cache_dir,
                   int timeout_s = kDefaultTimeoutS);

  // Path of the cached MP3 for a recording SID (the file may not exist yet).
  std::string cached_path(const std::string& recording_sid) const;
  // Whether the cache holds the recording: a regular, non-empty file (an empty one is never a recording).
  bool cached(const std::string& recording_sid) const;
  // Fetches {api_base}/2010-04-01/Accounts/{AC}/Recordings/{RE}.mp3 into the cache.
  FetchOutcome fetch(const std::string& recording_sid) const;

  // RE + 32 hex digits: the only shape a recording SID may have before it becomes part of a path or URL.
  static bool valid_sid(const std::string& recording_sid);

 private:
  std::string api_base_, account_sid_, auth_token_, cache_dir_;
  int timeout_s_;
};

}  // namespace switchboard::twilio

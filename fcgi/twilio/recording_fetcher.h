// Downloads a voicemail recording from Twilio's REST API into the local cache, so the feed can play it: Twilio's
// media URLs need the account's credentials (HTTP basic auth), which a browser must never see. libcurl, short
// timeouts; the API base URL is configurable so tests use a fake Twilio on loopback.
#pragma once

#include <string>

namespace switchboard::twilio {

enum class FetchResult {
  kStored,        // the file is now in the cache
  kNotAvailable,  // Twilio has no such media (yet): 404
  kFailed,        // network error, timeout, or another status
};

struct FetchOutcome {
  FetchResult result;
  std::string detail;  // for the log
};

class RecordingFetcher {
 public:
  RecordingFetcher(std::string api_base, std::string account_sid, std::string auth_token, std::string cache_dir);

  // Path of the cached MP3 for a recording SID (the file may not exist yet).
  std::string cached_path(const std::string& recording_sid) const;
  // Fetches {api_base}/2010-04-01/Accounts/{AC}/Recordings/{RE}.mp3 into the cache (written whole, then renamed).
  FetchOutcome fetch(const std::string& recording_sid) const;

  // RE + 32 hex digits: the only shape a recording SID may have before it becomes part of a path or URL.
  static bool valid_sid(const std::string& recording_sid);

 private:
  std::string api_base_, account_sid_, auth_token_, cache_dir_;
};

}  // namespace switchboard::twilio

// Deleting a recording at Twilio, for the retention purge (fcgi/retention/), with the same account, API base and
// libcurl set-up as the download (twilio/rest_handle.h). Twilio keeps recordings until they are deleted, and bills
// their storage; once a voicemail's audio is cached here and verified, its copy there can go.
//
//   media_size(RE…)  HEAD …/Recordings/{RE}.mp3: how many bytes Twilio serves for the media the cache holds, so the
//                    cached copy can be compared with it before Twilio's is deleted
//   remove(RE…)      DELETE …/Recordings/{RE}.json: 204 deleted (the media is gone at Twilio afterwards), 404 it
//                    was not there (deleted already: an interrupted purge run again)
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::twilio {

struct RemoteAnswer {
  enum class Kind {
    kDone,    // media_size: the size is known; remove: Twilio deleted it (204)
    kGone,    // Twilio has no such recording (404)
    kFailed,  // network error, timeout, another status, or (media_size) no length in the answer
  };
  Kind kind;
  std::int64_t bytes = -1;  // media_size's answer
  std::string detail;       // for the log
};

class RecordingRemover {
 public:
  static constexpr int kDefaultTimeoutS = 15;
  RecordingRemover(std::string api_base, std::string account_sid, std::string auth_token,
                   int timeout_s = kDefaultTimeoutS);

  RemoteAnswer media_size(const std::string& recording_sid) const;
  RemoteAnswer remove(const std::string& recording_sid) const;

 private:
  std::string api_base_, account_sid_, auth_token_;
  int timeout_s_;
};

}  // namespace switchboard::twilio

// The retention purge that `switchboard-admin purge` runs daily (systemd/switchboard-purge.timer): three passes over
// the call log, each a keyset walk in batches of Retention::batch_size, one transaction per batch (store/
// retention_store.h), so a run can be interrupted anywhere and the next one carries on.
//
//   1. Twilio (SWITCHBOARD_DELETE_TWILIO_RECORDINGS=true): each completed recording whose cached copy is verified
//      (rules.h: there, not empty, audio, the size Twilio serves) is deleted at Twilio, then marked. A recording
//      Twilio no longer has is marked too. First, so that no call or local copy goes before Twilio's copy could be
//      checked against it.
//   2. Calls older than SWITCHBOARD_RETAIN_CALLS_DAYS, with their events, notifications and cached audio.
//   3. Cached audio of voicemails older than SWITCHBOARD_RETAIN_AUDIO_DAYS: the file goes, the call says so
//      (recording_deleted_at: the feed shows "deleted", the audio endpoint 410). With deletion at Twilio on, a copy
//      still at Twilio keeps its local one until pass 1 manages to delete Twilio's.
// An unheard voicemail is never purged (rules.h). A file goes while its call is locked and before the row changes
// commit; should the commit fail, the next run finds the call again and finishes (a missing file counts as gone).
// A dry run walks the same rows and checks the same copies (Twilio's size included) and changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/settings.h"
#include "store/retention_store.h"
#include "twilio/recording_fetcher.h"
#include "twilio/recording_remover.h"

namespace switchboard::retention {

// What a run deleted (or, dry, would delete), per kind.
struct Report {
  bool dry_run = false;
  std::optional<std::int64_t> calls_cutoff_ms, audio_cutoff_ms;
  std::int64_t calls = 0, events = 0, notifications = 0, call_audio_files = 0;
  std::int64_t audio_files = 0;
  std::int64_t audio_kept_for_twilio = 0;  // old audio kept because Twilio's copy is not deleted yet
  std::int64_t twilio_deleted = 0, twilio_gone = 0, twilio_unverified = 0;
  std::int64_t unheard_kept = 0;  // unheard voicemails older than a limit, kept
  std::int64_t failures = 0;      // a file that could not be removed, a Twilio request that failed (logged)
};

// Twilio's side, as functions so the rules' tests need no network: the media's size (HEAD) and the DELETE.
struct TwilioRecordings {
  std::function<twilio::RemoteAnswer(const std::string&)> media_size, remove;
  static TwilioRecordings of(const twilio::RecordingRemover& remover);
};

class Purge {
 public:
  using Log = std::function<void(const std::string&)>;
  Purge(store::RetentionStore& store, const config::Retention& limits, const twilio::RecordingFetcher& cache,
        TwilioRecordings twilio, Log log);

  Report run(std::int64_t now_ms, bool dry_run);

 private:
  void twilio_pass(std::int64_t now_ms, Report& report);
  void calls_pass(std::int64_t cutoff, Report& report);
  void audio_pass(std::int64_t cutoff, std::optional<std::int64_t> calls_cutoff, std::int64_t now_ms,
                  Report& report);
  // Removes a call's cached audio file; true when it is gone (or was never there), false (logged) when it stays.
  bool remove_file(const store::RetainedCall& call, bool& existed, Report& report);

  store::RetentionStore& store_;
  config::Retention limits_;
  const twilio::RecordingFetcher& cache_;
  TwilioRecordings twilio_;
  Log log_;
  bool dry_run_ = false;
};

// The report as the command prints it: one line per kind, then what was kept and why.
std::string describe(const Report& report, const config::Retention& limits);

}  // namespace switchboard::retention

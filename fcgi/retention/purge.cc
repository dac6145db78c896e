// See purge.h.
#include "retention/purge.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "retention/rules.h"
#include "store/sql_time.h"

namespace switchboard::retention {

namespace {

// The cached file's size (-1 when there is none) and first bytes.
std::int64_t inspect(const std::string& path, std::string& head) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return -1;
  std::ifstream file(path, std::ios::binary);
  head.assign(16, '\0');
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(0, file.gcount())));
  return static_cast<std::int64_t>(info.st_size);
}

std::string days(int count) { return std::to_string(count) + (count == 1 ? " day" : " days"); }

std::string utc(std::int64_t unix_ms) {
  std::string text = store::to_sql_datetime(std::max<std::int64_t>(0, unix_ms));
  text[10] = 'T';
  return text + "Z";
}

}  // namespace

TwilioRecordings TwilioRecordings::of(const twilio::RecordingRemover& remover) {
  return TwilioRecordings{[&remover](const std::string& sid) { return remover.media_size(sid); },
                          [&remover](const std::string& sid) { return remover.remove(sid); }};
}

Purge::Purge(store::RetentionStore& store, const config::Retention& limits, const twilio::RecordingFetcher& cache,
             TwilioRecordings twilio, Log log)
    : store_(store), limits_(limits), cache_(cache), twilio_(std::move(twilio)), log_(std::move(log)) {}

Report Purge::run(std::int64_t now_ms, bool dry_run) {
  dry_run_ = dry_run;
  Report report;
  report.dry_run = dry_run;
  report.calls_cutoff_ms = cutoff_ms(now_ms, limits_.calls_days);
  report.audio_cutoff_ms = cutoff_ms(now_ms, limits_.audio_days);
  if (limits_.delete_at_twilio) twilio_pass(now_ms, report);
  if (report.calls_cutoff_ms) calls_pass(*report.calls_cutoff_ms, report);
  if (report.audio_cutoff_ms) audio_pass(*report.audio_cutoff_ms, report.calls_cutoff_ms, now_ms, report);
  // The oldest limit decides which unheard voicemails a limit would have taken.
  std::optional<std::int64_t> oldest = report.calls_cutoff_ms;
  if (report.audio_cutoff_ms && (!oldest || *report.audio_cutoff_ms > *oldest)) oldest = report.audio_cutoff_ms;
  if (oldest) report.unheard_kept = store_.unheard_voicemails(*oldest);
  return report;
}

bool Purge::remove_file(const store::RetainedCall& call, bool& existed, Report& report) {
  existed = false;
  if (!call.recording_sid || !twilio::RecordingFetcher::valid_sid(*call.recording_sid)) return true;
  const std::string path = cache_.cached_path(*call.recording_sid);
  struct stat info {};
  existed = ::stat(path.c_str(), &info) == 0;
  if (!existed || dry_run_) return true;
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return true;
  ++report.failures;
  log_("cannot delete " + path + " (call " + call.sid + "): " + std::strerror(errno) + "; the call is kept");
  return false;
}

void Purge::twilio_pass(std::int64_t now_ms, Report& report) {
  std::optional<store::Cursor> after;
  for (;;) {
    const std::vector<store::RetainedCall> batch =
        store_.old_voicemails(now_ms + 1, true, after, limits_.batch_size);
    if (batch.empty()) return;
    after = store::Cursor{batch.back().started_at_ms, batch.back().id};
    for (const store::RetainedCall& call : batch) {
      const std::string& sid = *call.recording_sid;
      if (!twilio::RecordingFetcher::valid_sid(sid)) continue;
      std::string head;
      const std::int64_t local = inspect(cache_.cached_path(sid), head);
      if (local <= 0) {
        ++report.twilio_unverified;  // not cached (yet): Twilio's is the only copy
        continue;
      }
      const twilio::RemoteAnswer size = twilio_.media_size(sid);
      if (size.kind == twilio::RemoteAnswer::Kind::kFailed) {
        ++report.failures;
        log_("Twilio recording " + sid + " (call " + call.sid + "): cannot check its size: " + size.detail);
        continue;
      }
      if (size.kind == twilio::RemoteAnswer::Kind::kGone) {
        ++report.twilio_gone;  // deleted already (an interrupted run, or by hand): say so
        if (!dry_run_) store_.mark_deleted_at_twilio(call.id, now_ms);
        continue;
      }
      if (const auto why = unverified_because(local, head, size.bytes)) {
        ++report.twilio_unverified;
        log_("Twilio recording " + sid + " (call " + call.sid + ") kept at Twilio: " + *why);
        continue;
      }
      if (dry_run_) {
        ++report.twilio_deleted;
        continue;
      }
      const twilio::RemoteAnswer removed = twilio_.remove(sid);
      if (removed.kind == twilio::RemoteAnswer::Kind::kFailed) {
        ++report.failures;
        log_("Twilio recording " + sid + " (call " + call.sid + "): DELETE failed: " + removed.detail);
        continue;
      }
      if (removed.kind == twilio::RemoteAnswer::Kind::kDone) ++report.twilio_deleted;
      else ++report.twilio_gone;
      store_.mark_deleted_at_twilio(call.id, now_ms);
    }
  }
}

void Purge::calls_pass(std::int64_t cutoff, Report& report) {
  std::optional<store::Cursor> after;
  for (;;) {
    const std::vector<store::RetainedCall> batch = store_.old_calls(cutoff, after, limits_.batch_size);
    if (batch.empty()) return;
    after = store::Cursor{batch.back().started_at_ms, batch.back().id};
    if (dry_run_) {
      for (const store::RetainedCall& call : batch) {
        const store::CallContents contents = store_.contents_of(call.sid);
        bool existed = false;
        remove_file(call, existed, report);
        ++report.calls;
        report.events += contents.events;
        report.notifications += contents.notifications;
        if (existed) ++report.call_audio_files;
      }
      continue;
    }
    store::CallContents removed;
    std::int64_t files = 0;
    const std::vector<store::RetainedCall> deleted = store_.delete_calls(
        batch,
        [&](const store::RetainedCall& call) {
          bool existed = false;
          const bool gone = remove_file(call, existed, report);
          if (gone && existed) ++files;
          return gone;
        },
        removed);
    report.calls += static_cast<std::int64_t>(deleted.size());
    report.events += removed.events;
    report.notifications += removed.notifications;
    report.call_audio_files += files;
  }
}

void Purge::audio_pass(std::int64_t cutoff, std::optional<std::int64_t> calls_cutoff, std::int64_t now_ms,
                       Report& report) {
  // Calls older than the calls' limit went (or, dry, would go) with their audio in the pass before.
  std::optional<store::Cursor> after;
  if (calls_cutoff) {
    if (*calls_cutoff >= cutoff) return;
    after = store::Cursor{*calls_cutoff, 0};
  }
  for (;;) {
    const std::vector<store::RetainedCall> batch = store_.old_voicemails(cutoff, false, after, limits_.batch_size);
    if (batch.empty()) return;
    after = store::Cursor{batch.back().started_at_ms, batch.back().id};
    // With deletion at Twilio on, the local copy is what Twilio's is checked against: it stays until Twilio's went.
    std::vector<store::RetainedCall> due;
    for (const store::RetainedCall& call : batch) {
      const bool at_twilio = call.recording_status == std::optional<std::string>("completed") &&
                             !call.recording_deleted_at_twilio_ms;
      if (limits_.delete_at_twilio && at_twilio) ++report.audio_kept_for_twilio;
      else due.push_back(call);
    }
    if (dry_run_) {
      for (const store::RetainedCall& call : due) {
        bool existed = false;
        remove_file(call, existed, report);
        if (existed) ++report.audio_files;
      }
      continue;
    }
    std::int64_t files = 0;
    store_.mark_audio_deleted(due, now_ms, [&](const store::RetainedCall& call) {
      bool existed = false;
      const bool gone = remove_file(call, existed, report);
      if (gone && existed) ++files;
      return gone;
    });
    report.audio_files += files;
  }
}

std::string describe(const Report& report, const config::Retention& limits) {
  std::ostringstream out;
  const char* verb = report.dry_run ? "would delete" : "deleted";
  if (report.dry_run) out << "dry run: nothing is deleted; this is what a purge would do now\n";
  if (report.calls_cutoff_ms) {
    out << "calls: " << verb << " " << report.calls << " (started before " << utc(*report.calls_cutoff_ms) << ", "
        << days(limits.calls_days) << "), with " << report.events << " events, " << report.notifications
        << " notifications and " << report.call_audio_files << " audio files\n";
  } else {
    out << "calls: kept for ever (SWITCHBOARD_RETAIN_CALLS_DAYS is 0 or unset)\n";
  }
  if (report.audio_cutoff_ms) {
    out << "audio: " << verb << " " << report.audio_files << " files of voicemails started before "
        << utc(*report.audio_cutoff_ms) << " (" << days(limits.audio_days) << ")";
    if (report.audio_kept_for_twilio > 0) {
      out << "; kept " << report.audio_kept_for_twilio << " whose Twilio copy is not deleted yet";
    }
    out << "\n";
  } else {
    out << "audio: kept for ever (SWITCHBOARD_RETAIN_AUDIO_DAYS is 0 or unset)\n";
  }
  if (limits.delete_at_twilio) {
    out << "twilio: " << verb << " " << report.twilio_deleted << " recordings, " << report.twilio_gone
        << " already gone, " << report.twilio_unverified << " kept at Twilio (no verified local copy)\n";
  } else {
    out << "twilio: nothing deleted at Twilio (SWITCHBOARD_DELETE_TWILIO_RECORDINGS is off)\n";
  }
  if (report.calls_cutoff_ms || report.audio_cutoff_ms) {
    out << "unheard voicemails: kept " << report.unheard_kept
        << " older than a limit (an unheard voicemail is never purged, neither its call nor its audio)\n";
  }
  if (report.failures > 0) out << "failures: " << report.failures << " (see above)\n";
  return out.str();
}

}  // namespace switchboard::retention

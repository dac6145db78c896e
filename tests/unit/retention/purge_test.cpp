// The purge's passes against an in-memory call log, a real cache directory and a scripted Twilio: exactly the calls
// older than the limit go (with their events, notifications and audio), an unheard voicemail never does (neither
// its call nor its audio, here or at Twilio), a dry run reports the same and changes nothing, batches walk the whole
// log, a second run finds nothing, a file that cannot be removed keeps its call, and Twilio's copy is deleted only
// when the cached one is there, is audio and has Twilio's size — and only when that is switched on.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../support/sample_calls.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "retention/purge.h"
#include "retention/rules.h"

namespace {

using namespace switchboard;
using retention::kDayMs;
using twilio::RemoteAnswer;

constexpr std::int64_t kNow = 1796198400000;  // 2026-12-02 00:00:00 UTC
constexpr char kAudio[] = "ID3\x04 a short test recording";  // no NUL: it is written as a C string

// The call log as the purge sees it, the unheard rule applied by retention::is_protected().
class FakeRetentionStore : public store::RetentionStore {
 public:
  struct Entry {
    store::CallRow row;
    std::int64_t events = 0, notifications = 0;
  };

  store::CallRow& add(store::CallRow row, std::int64_t events = 3, std::int64_t notifications = 1) {
    row.id = next_id_++;
    Entry& entry = calls_[row.id];
    entry = Entry{std::move(row), events, notifications};
    return entry.row;
  }
  const store::CallRow* find(const std::string& sid) const {
    for (const auto& [id, entry] : calls_) {
      if (entry.row.sid == sid) return &entry.row;
    }
    return nullptr;
  }
  size_t size() const { return calls_.size(); }
  int walks = 0;

  std::vector<store::RetainedCall> old_calls(std::int64_t before_ms, const std::optional<store::Cursor>& after,
                                             int limit) override {
    return walk(before_ms, after, limit, [](const store::CallRow&) { return true; });
  }
  std::vector<store::RetainedCall> old_voicemails(std::int64_t before_ms, bool twilio_pending,
                                                  const std::optional<store::Cursor>& after, int limit) override {
    return walk(before_ms, after, limit, [&](const store::CallRow& row) {
      if (!row.recording_sid || row.recording_deleted_at_ms) return false;
      return !twilio_pending || (row.recording_status == std::optional<std::string>("completed") &&
                                 !row.recording_deleted_at_twilio_ms);
    });
  }
  std::int64_t unheard_voicemails(std::int64_t before_ms) override {
    return std::count_if(calls_.begin(), calls_.end(), [&](const auto& item) {
      return item.second.row.started_at_ms < before_ms && retention::is_protected(item.second.row);
    });
  }
  store::CallContents contents_of(const std::string& sid) override {
    for (const auto& [id, entry] : calls_) {
      if (entry.row.sid == sid) return {entry.events, entry.notifications};
    }
    return {};
  }
  std::vector<store::RetainedCall> delete_calls(const std::vector<store::RetainedCall>& batch,
                                                const std::function<bool(const store::RetainedCall&)>& release,
                                                store::CallContents& removed) override {
    std::vector<store::RetainedCall> gone;
    for (const store::RetainedCall& call : batch) {
      auto found = calls_.find(call.id);
      if (found == calls_.end() || retention::is_protected(found->second.row) || !release(call)) continue;
      removed.events += found->second.events;
      removed.notifications += found->second.notifications;
      calls_.erase(found);
      gone.push_back(call);
    }
    return gone;
  }
  std::vector<store::RetainedCall> mark_audio_deleted(
      const std::vector<store::RetainedCall>& batch, std::int64_t at_ms,
      const std::function<bool(const store::RetainedCall&)>& release) override {
    std::vector<store::RetainedCall> marked;
    for (const store::RetainedCall& call : batch) {
      auto found = calls_.find(call.id);
      if (found == calls_.end() || found->second.row.recording_deleted_at_ms ||
          retention::is_protected(found->second.row) || !release(call)) {
        continue;
      }
      found->second.row.recording_deleted_at_ms = at_ms;
      marked.push_back(call);
    }
    return marked;
  }
  void mark_deleted_at_twilio(std::int64_t id, std::int64_t at_ms) override {
    auto found = calls_.find(id);
    if (found != calls_.end() && !found->second.row.recording_deleted_at_twilio_ms) {
      found->second.row.recording_deleted_at_twilio_ms = at_ms;
    }
  }

 private:
  template <typename Filter>
  std::vector<store::RetainedCall> walk(std::int64_t before_ms, const std::optional<store::Cursor>& after, int limit,
                                        Filter&& filter) {
    ++walks;
    std::vector<const store::CallRow*> rows;
    for (const auto& [id, entry] : calls_) rows.push_back(&entry.row);
    std::sort(rows.begin(), rows.end(), [](const store::CallRow* a, const store::CallRow* b) {
      return std::make_pair(a->started_at_ms, a->id) < std::make_pair(b->started_at_ms, b->id);
    });
    std::vector<store::RetainedCall> batch;
    for (const store::CallRow* row : rows) {
      if (static_cast<int>(batch.size()) == limit) break;
      if (row->started_at_ms >= before_ms || retention::is_protected(*row) || !filter(*row)) continue;
      if (after && std::make_pair(row->started_at_ms, row->id) <= std::make_pair(after->started_at_ms, after->id)) {
        continue;
      }
      batch.push_back(store::RetainedCall{row->id, row->sid, row->started_at_ms, row->recording_sid,
                                          row->recording_status, row->recording_deleted_at_ms,
                                          row->recording_deleted_at_twilio_ms});
    }
    return batch;
  }

  std::map<std::int64_t, Entry> calls_;
  std::int64_t next_id_ = 1;
};

// Twilio as a script: the size it serves for each recording (absent: 404), and the DELETEs it was sent.
struct ScriptedTwilio {
  std::map<std::string, std::int64_t> sizes;
  std::vector<std::string> heads, deletes;
  bool fail = false;

  retention::TwilioRecordings recordings() {
    return retention::TwilioRecordings{
        [this](const std::string& sid) {
          heads.push_back(sid);
          if (fail) return RemoteAnswer{RemoteAnswer::Kind::kFailed, -1, "connection refused"};
          const auto found = sizes.find(sid);
          if (found == sizes.end()) return RemoteAnswer{RemoteAnswer::Kind::kGone, -1, "404"};
          return RemoteAnswer{RemoteAnswer::Kind::kDone, found->second, ""};
        },
        [this](const std::string& sid) {
          deletes.push_back(sid);
          if (sizes.erase(sid) == 0) return RemoteAnswer{RemoteAnswer::Kind::kGone, -1, "404"};
          return RemoteAnswer{RemoteAnswer::Kind::kDone, -1, ""};
        }};
  }
};

std::string recording_sid(int n) {
  std::string hex = std::to_string(n);
  return "RE" + std::string(32 - hex.size(), 'a') + hex;
}

struct Fixture {
  test::TempDir dir;
  FakeRetentionStore store;
  ScriptedTwilio twilio;
  twilio::RecordingFetcher cache{"http://127.0.0.1:1", test::kAccountSid, "token", dir.path()};
  std::vector<std::string> log;
  config::Retention limits;

  retention::Report run(bool dry_run = false) {
    retention::Purge purge(store, limits, cache, twilio.recordings(),
                           [this](const std::string& line) { log.push_back(line); });
    return purge.run(kNow, dry_run);
  }
  // A voicemail `days_old` days old (heard unless said otherwise), its audio cached here and served by Twilio.
  store::CallRow& voicemail(const std::string& sid, double days_old, int recording, bool heard = true,
                            bool cached = true) {
    store::CallRow row = test::voicemail_call(sid, kNow - static_cast<std::int64_t>(days_old * kDayMs));
    row.recording_sid = recording_sid(recording);
    if (heard) row.voicemail_heard_at_ms = row.started_at_ms + 60000;
    if (cached) dir.write(recording_sid(recording) + ".mp3", kAudio);
    twilio.sizes[recording_sid(recording)] = static_cast<std::int64_t>(sizeof kAudio - 1);
    return store.add(row);
  }
  bool cached(int recording) const { return std::filesystem::exists(cache.cached_path(recording_sid(recording))); }
};

std::string text_of(const retention::Report& report, const config::Retention& limits) {
  return retention::describe(report, limits);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(RetentionPurge, Fixture)

BOOST_AUTO_TEST_CASE(NothingIsDeletedByDefault) {
  store.add(test::answered_call("CA-old", kNow - 4000 * kDayMs));
  voicemail("CA-vm", 4000, 1);
  const retention::Report report = run();
  BOOST_TEST(store.size() == 2u);
  BOOST_TEST(cached(1));
  BOOST_TEST(twilio.heads.empty());
  BOOST_TEST(twilio.deletes.empty());
  const std::string text = text_of(report, limits);
  BOOST_TEST(text.find("calls: kept for ever") != std::string::npos, text);
  BOOST_TEST(text.find("audio: kept for ever") != std::string::npos, text);
  BOOST_TEST(text.find("nothing deleted at Twilio") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(CallsOlderThanTheLimitGoExactly) {
  limits.calls_days = 30;
  const std::int64_t cutoff = kNow - 30 * kDayMs;
  store.add(test::answered_call("CA-older", cutoff - 1), 4, 2);
  store.add(test::answered_call("CA-at-limit", cutoff), 4, 2);
  store.add(test::answered_call("CA-newer", cutoff + 1), 4, 2);
  voicemail("CA-heard", 31, 1);  // heard: goes, with its audio
  const retention::Report report = run();
  BOOST_TEST(!store.find("CA-older"));
  BOOST_TEST(!store.find("CA-heard"));
  BOOST_TEST(store.find("CA-at-limit"));
  BOOST_TEST(store.find("CA-newer"));
  BOOST_TEST(!cached(1));
  BOOST_TEST(report.calls == 2);
  BOOST_TEST(report.events == 4 + 3);
  BOOST_TEST(report.notifications == 2 + 1);
  BOOST_TEST(report.call_audio_files == 1);
  BOOST_TEST(report.failures == 0);
}

BOOST_AUTO_TEST_CASE(AnUnheardVoicemailIsNeverPurged) {
  limits.calls_days = 30;
  limits.audio_days = 7;
  limits.delete_at_twilio = true;
  voicemail("CA-unheard", 400, 1, false);
  const retention::Report report = run();
  const store::CallRow* kept = store.find("CA-unheard");
  BOOST_REQUIRE(kept);
  BOOST_TEST(!kept->recording_deleted_at_ms);
  BOOST_TEST(!kept->recording_deleted_at_twilio_ms);
  BOOST_TEST(cached(1));
  BOOST_TEST(twilio.heads.empty());
  BOOST_TEST(twilio.deletes.empty());
  BOOST_TEST(report.unheard_kept == 1);
  const std::string text = text_of(report, limits);
  BOOST_TEST(text.find("unheard voicemails: kept 1") != std::string::npos, text);
  BOOST_TEST(text.find("never purged") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(ADryRunReportsTheSameAndChangesNothing) {
  limits.calls_days = 30;
  limits.audio_days = 7;
  store.add(test::answered_call("CA-old", kNow - 31 * kDayMs), 5, 0);
  voicemail("CA-old-vm", 40, 1);
  voicemail("CA-week-vm", 10, 2);
  voicemail("CA-new-vm", 1, 3);
  const retention::Report dry = run(true);
  BOOST_TEST(store.size() == 4u);
  BOOST_TEST(cached(1));
  BOOST_TEST(cached(2));
  BOOST_TEST(!store.find("CA-week-vm")->recording_deleted_at_ms);
  const std::string text = text_of(dry, limits);
  BOOST_TEST(text.find("dry run: nothing is deleted") != std::string::npos, text);
  BOOST_TEST(text.find("calls: would delete 2 ") != std::string::npos, text);
  BOOST_TEST(text.find("audio: would delete 1 files") != std::string::npos, text);

  const retention::Report done = run();
  BOOST_TEST(done.calls == dry.calls);
  BOOST_TEST(done.events == dry.events);
  BOOST_TEST(done.notifications == dry.notifications);
  BOOST_TEST(done.call_audio_files == dry.call_audio_files);
  BOOST_TEST(done.audio_files == dry.audio_files);
  BOOST_TEST(store.size() == 2u);
}

BOOST_AUTO_TEST_CASE(OldAudioGoesAndTheCallSaysSo) {
  limits.audio_days = 14;
  voicemail("CA-old-vm", 15, 1);
  voicemail("CA-new-vm", 13, 2);
  voicemail("CA-never-fetched", 20, 3, true, false);
  const retention::Report report = run();
  BOOST_TEST(!cached(1));
  BOOST_TEST(cached(2));
  BOOST_TEST(*store.find("CA-old-vm")->recording_deleted_at_ms == kNow);
  BOOST_TEST(!store.find("CA-new-vm")->recording_deleted_at_ms);
  // Never cached: nothing to delete here, but it is past its limit and must not be fetched again.
  BOOST_TEST(*store.find("CA-never-fetched")->recording_deleted_at_ms == kNow);
  BOOST_TEST(report.audio_files == 1);
  BOOST_TEST(store.size() == 3u);  // the calls stay
}

BOOST_AUTO_TEST_CASE(SmallBatchesWalkTheWholeLogAndASecondRunFindsNothing) {
  limits.calls_days = 1;
  limits.batch_size = 2;
  for (int i = 0; i < 7; ++i) store.add(test::answered_call("CA-" + std::to_string(i), kNow - (10 + i) * kDayMs));
  voicemail("CA-unheard", 5, 1, false);  // skipped in the middle of a batch, never again
  store.add(test::answered_call("CA-today", kNow));
  const retention::Report first = run();
  BOOST_TEST(first.calls == 7);
  BOOST_TEST(store.size() == 2u);
  BOOST_TEST(store.walks >= 4);
  const retention::Report second = run();
  BOOST_TEST(second.calls == 0);
  BOOST_TEST(store.size() == 2u);
}

BOOST_AUTO_TEST_CASE(AFileThatCannotBeRemovedKeepsItsCall) {
  limits.calls_days = 30;
  voicemail("CA-stuck", 40, 1, true, false);
  // A directory where the recording would be: stat finds it, unlink refuses (EISDIR), whoever runs the test.
  std::filesystem::create_directory(cache.cached_path(recording_sid(1)));
  const retention::Report report = run();
  BOOST_TEST(store.find("CA-stuck"));
  BOOST_TEST(report.calls == 0);
  BOOST_TEST(report.failures == 1);
  BOOST_REQUIRE(log.size() == 1u);
  BOOST_TEST(log[0].find("the call is kept") != std::string::npos, log[0]);
}

BOOST_AUTO_TEST_CASE(TwilioDeletesOnlyVerifiedCopies) {
  limits.delete_at_twilio = true;
  voicemail("CA-verified", 2, 1);
  voicemail("CA-not-cached", 2, 2, true, false);
  voicemail("CA-short", 2, 3);
  twilio.sizes[recording_sid(3)] += 100;  // Twilio serves more than the cache holds: a truncated copy
  voicemail("CA-not-audio", 2, 4);
  dir.write(recording_sid(4) + ".mp3", "<html>an error page</html>");
  twilio.sizes[recording_sid(4)] = 26;
  store::CallRow& gone = voicemail("CA-gone", 2, 5);
  twilio.sizes.erase(recording_sid(5));  // deleted at Twilio already (an interrupted run)
  const retention::Report report = run();

  BOOST_TEST(twilio.deletes == std::vector<std::string>{recording_sid(1)});
  BOOST_TEST(*store.find("CA-verified")->recording_deleted_at_twilio_ms == kNow);
  BOOST_TEST(*gone.recording_deleted_at_twilio_ms == kNow);
  for (const char* sid : {"CA-not-cached", "CA-short", "CA-not-audio"}) {
    BOOST_TEST(!store.find(sid)->recording_deleted_at_twilio_ms, sid);
  }
  BOOST_TEST(cached(1));  // the local copy stays: only the audio limit removes it
  BOOST_TEST(report.twilio_deleted == 1);
  BOOST_TEST(report.twilio_gone == 1);
  BOOST_TEST(report.twilio_unverified == 3);
  BOOST_TEST(report.failures == 0);

  // Again: nothing more is asked of Twilio about the recordings it no longer has.
  twilio.deletes.clear();
  twilio.heads.clear();
  run();
  BOOST_TEST(twilio.deletes.empty());
  BOOST_TEST(std::count(twilio.heads.begin(), twilio.heads.end(), recording_sid(1)) == 0);
}

BOOST_AUTO_TEST_CASE(ADryRunAsksTwilioNothingButTheSize) {
  limits.delete_at_twilio = true;
  voicemail("CA-verified", 2, 1);
  const retention::Report report = run(true);
  BOOST_TEST(twilio.deletes.empty());
  BOOST_TEST(twilio.heads.size() == 1u);
  BOOST_TEST(report.twilio_deleted == 1);
  BOOST_TEST(!store.find("CA-verified")->recording_deleted_at_twilio_ms);
  const std::string text = text_of(report, limits);
  BOOST_TEST(text.find("twilio: would delete 1 recordings") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(ATwilioFailureIsCountedAndNothingIsMarked) {
  limits.delete_at_twilio = true;
  voicemail("CA-verified", 2, 1);
  twilio.fail = true;
  const retention::Report report = run();
  BOOST_TEST(report.failures == 1);
  BOOST_TEST(twilio.deletes.empty());
  BOOST_TEST(!store.find("CA-verified")->recording_deleted_at_twilio_ms);
}

BOOST_AUTO_TEST_CASE(OldAudioStaysWhileTwiliosCopyIsNotDeleted) {
  limits.audio_days = 7;
  limits.delete_at_twilio = true;
  voicemail("CA-verified", 10, 1);
  voicemail("CA-not-cached", 10, 2, true, false);
  const retention::Report report = run();
  // The verified one went at Twilio first, then its local copy; the other is Twilio's only copy: it stays there,
  // and nothing here pretends it is deleted.
  BOOST_TEST(*store.find("CA-verified")->recording_deleted_at_twilio_ms == kNow);
  BOOST_TEST(*store.find("CA-verified")->recording_deleted_at_ms == kNow);
  BOOST_TEST(!cached(1));
  BOOST_TEST(!store.find("CA-not-cached")->recording_deleted_at_ms);
  BOOST_TEST(report.audio_kept_for_twilio == 1);
}

BOOST_AUTO_TEST_SUITE_END()

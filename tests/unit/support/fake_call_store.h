// An in-memory CallStore for tests of the handlers and the feed: the same contract as MysqlCallStore (dedup by the
// event's key, fold() into the call, rejection markers only appended, newest-first keyset listing with the same
// filters, the summary's grouping), no database. A test can make it refuse chosen events (before_record) as the
// database would.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/call_store.h"

namespace switchboard::test {

class FakeCallStore : public store::CallStore {
 public:
  // When set, every method throws store::Unavailable, as the real store does while the database is down.
  bool unavailable = false;
  // Called first by record(): a test throws store::Rejected (or anything else) from it for the events it picks.
  std::function<void(const store::Event&)> before_record;
  // The query of the last list_calls call.
  std::optional<store::CallQuery> last_query;

  // Stores `row` as it is (assigning the next id when it has none) and returns it.
  store::CallRow put(store::CallRow row) {
    if (row.id == 0) row.id = next_call_id_++;
    rows_.push_back(row);
    return row;
  }

  void put_event(const std::string& sid, store::StoredEvent event) {
    if (event.id == 0) event.id = next_event_id_++;
    events_.emplace_back(sid, std::move(event));
  }

  store::RecordOutcome record(const store::Event& event, const store::CallUpdate& update) override {
    check_available();
    if (before_record) before_record(event);
    if (!dedup_keys_.insert(event.dedup_key()).second) return store::RecordOutcome::kDuplicate;
    put_event(event.call_sid, store::StoredEvent{0, event.kind, event.url_query, params_json(event.params),
                                                 event.received_at_ms, event.routing_rule, event.routing_detail});
    if (store::is_rejection_marker(event)) return store::RecordOutcome::kStored;
    store::CallRow* row = find(event.call_sid);
    if (!row) row = &rows_.emplace_back(store::new_call(event.call_sid, event.received_at_ms));
    if (row->id == 0) row->id = next_call_id_++;
    *row = store::fold(*row, update, event.received_at_ms);
    return store::RecordOutcome::kStored;
  }

  std::vector<store::CallRow> list_calls(const store::CallQuery& query) override {
    check_available();
    last_query = query;
    std::vector<store::CallRow> matching;
    for (const store::CallRow& row : rows_) {
      if (matches(row, query)) matching.push_back(row);
    }
    std::sort(matching.begin(), matching.end(), [](const store::CallRow& a, const store::CallRow& b) {
      return std::make_pair(a.started_at_ms, a.id) > std::make_pair(b.started_at_ms, b.id);
    });
    if (matching.size() > static_cast<size_t>(query.limit)) matching.resize(static_cast<size_t>(query.limit));
    return matching;
  }

  // The same grouping as MysqlCallStore's GROUP BY, with outcome_of() standing in for calls.outcome.
  std::vector<store::HourTally> tally_by_hour(std::int64_t since_ms, std::optional<std::int64_t> until_ms) override {
    check_available();
    constexpr std::int64_t kHourMs = 3600 * 1000;
    std::map<std::pair<std::int64_t, std::string>, store::HourTally> groups;
    for (const store::CallRow& row : rows_) {
      if (row.started_at_ms < since_ms || (until_ms && row.started_at_ms >= *until_ms)) continue;
      const std::int64_t hour = row.started_at_ms - row.started_at_ms % kHourMs;
      const std::string outcome = store::outcome_of(row);
      store::HourTally& tally = groups[{hour, outcome}];
      tally.hour_start_ms = hour;
      tally.outcome = outcome;
      ++tally.calls;
      if (!row.voicemail_heard_at_ms) ++tally.unheard;
      if (row.talk_s) {
        tally.talk_s_total += *row.talk_s;
        ++tally.talk_s_count;
      }
    }
    std::vector<store::HourTally> tallies;
    for (auto& [key, tally] : groups) tallies.push_back(tally);
    return tallies;
  }

  std::optional<store::CallRow> find_call(const std::string& sid) override {
    check_available();
    const store::CallRow* row = find(sid);
    return row ? std::optional<store::CallRow>(*row) : std::nullopt;
  }

  std::vector<store::StoredEvent> events_of(const std::string& sid) override {
    check_available();
    std::vector<store::StoredEvent> found;
    for (const auto& [owner, event] : events_) {
      if (owner == sid) found.push_back(event);
    }
    return found;
  }

  // What detail_of answers, per call.
  std::map<std::string, store::CallDetail> details;
  store::CallDetail detail_of(const std::string& sid) override {
    check_available();
    const auto found = details.find(sid);
    return found == details.end() ? store::CallDetail{} : found->second;
  }

  bool set_voicemail_heard(const std::string& sid, std::optional<std::int64_t> heard_at_ms) override {
    check_available();
    store::CallRow* row = find(sid);
    if (!row || !row->recording_sid) return false;
    row->voicemail_heard_at_ms = heard_at_ms;
    return true;
  }

 private:
  void check_available() const {
    if (unavailable) throw store::Unavailable("fake store: database down");
  }

  store::CallRow* find(const std::string& sid) {
    for (store::CallRow& row : rows_) {
      if (row.sid == sid) return &row;
    }
    return nullptr;
  }

  static bool matches(const store::CallRow& row, const store::CallQuery& query) {
    if (query.after && std::make_pair(row.started_at_ms, row.id) >=
                           std::make_pair(query.after->started_at_ms, query.after->id)) {
      return false;
    }
    if (query.status && row.status != *query.status) return false;
    if (query.menu_choice) {
      if (*query.menu_choice == "none" ? row.menu_choice.has_value() : row.menu_choice != *query.menu_choice) {
        return false;
      }
    }
    if (query.has_voicemail && row.recording_sid.has_value() != *query.has_voicemail) return false;
    if (query.outcome && store::outcome_of(row) != *query.outcome) return false;
    if (query.from && row.from != *query.from) return false;
    if (query.since_ms && row.started_at_ms < *query.since_ms) return false;
    if (query.until_ms && row.started_at_ms >= *query.until_ms) return false;
    return true;
  }

  static std::string params_json(const store::Params& params) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    for (const auto& [name, value] : params) {
      writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  std::vector<store::CallRow> rows_;
  std::vector<std::pair<std::string, store::StoredEvent>> events_;
  std::set<std::string> dedup_keys_;
  std::int64_t next_call_id_ = 1;
  std::int64_t next_event_id_ = 1;
};

}  // namespace switchboard::test

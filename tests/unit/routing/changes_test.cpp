// Changing the routing against an in-memory store and a private snapshot directory: a valid change is saved as the
// next version (who, when, the version it replaces, the normalised document) and then written to the snapshot; an
// invalid one, a stale If-Match and a lost insert race save nothing; sync() writes the database's newest version
// when the snapshot is behind; history pages newest first; a database outage reaches the caller.
#include "routing/changes.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "../support/fake_routing_store.h"
#include "../support/print.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "routing/routing.h"
#include "routing/snapshot.h"
#include "store/call_store.h"

namespace {

namespace routing = switchboard::routing;
namespace store = switchboard::store;
using switchboard::test::FakeRoutingStore;
using switchboard::test::routing_of;
using switchboard::test::TempDir;
using switchboard::test::test_settings;

constexpr std::int64_t kNow = 1764147600000;  // 2025-11-26 09:00 UTC

// The test routing with `away` as its away message: each change is told apart by it.
routing::Routing routing_with(const std::string& away) {
  routing::Routing r = routing_of(test_settings());
  r.away.message = away;
  return r;
}

std::string document_with(const std::string& away) {
  return routing::to_json(routing_with(away));
}

store::RoutingVersionRow row(std::int64_t version, const std::string& away, const std::string& by = "bob") {
  store::RoutingVersionRow r;
  r.version = version;
  if (version > 1) r.previous_version = version - 1;
  r.document = document_with(away);
  r.changed_by = by;
  r.changed_at_ms = kNow - 1000 * (100 - version);
  return r;
}

struct Fixture {
  TempDir dir;
  FakeRoutingStore store;
  std::int64_t now = kNow;
  std::string path = dir.path() + "/routing.json";
  routing::Changes changes{store, path, routing_of(test_settings()), [this] { return now; }};

  // The version the snapshot file holds, -1 without one.
  std::int64_t file_version() const {
    std::ifstream file(path);
    if (!file) return -1;
    std::stringstream text;
    text << file.rdbuf();
    const std::optional<routing::Version> version = routing::parse_snapshot(text.str());
    BOOST_REQUIRE_MESSAGE(version.has_value(), "the snapshot does not parse: " << text.str());
    return version->number;
  }
  routing::Version file() const {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    const std::optional<routing::Version> version = routing::parse_snapshot(text.str());
    BOOST_REQUIRE(version.has_value());
    return *version;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(routing_changes)

BOOST_FIXTURE_TEST_CASE(BeforeAnyChangeTheInitialRoutingIsVersionZero, Fixture) {
  const routing::Version current = changes.current();
  BOOST_TEST(current.number == 0);
  BOOST_TEST(!current.changed_at_ms.has_value());
  BOOST_TEST(!current.changed_by.has_value());
  BOOST_TEST(routing::to_json(current.routing) == routing::to_json(routing_of(test_settings())));
}

BOOST_FIXTURE_TEST_CASE(AValidChangeIsSavedAsVersionOneThenWrittenToTheSnapshot, Fixture) {
  // Spaces and member order as a client might send them: what is saved is the normalised document.
  const std::string sent = "  " + document_with("Away for the week.") + "\n";
  const routing::Changes::Outcome outcome = changes.save(sent, "alice", std::nullopt);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kSaved));
  BOOST_TEST(!outcome.invalid.has_value());
  BOOST_TEST(outcome.version.number == 1);
  BOOST_TEST(outcome.version.changed_by == std::optional<std::string>("alice"));
  BOOST_TEST(outcome.version.changed_at_ms == std::optional<std::int64_t>(kNow));
  BOOST_TEST(outcome.version.routing.away.message == "Away for the week.");

  BOOST_REQUIRE(store.rows().size() == 1u);
  const store::RoutingVersionRow& saved = store.rows().at(1);
  BOOST_TEST(saved.version == 1);
  BOOST_TEST(!saved.previous_version.has_value());
  BOOST_TEST(saved.document == document_with("Away for the week."));
  BOOST_TEST(saved.changed_by == "alice");
  BOOST_TEST(saved.changed_at_ms == kNow);

  const routing::Version snapshot = file();
  BOOST_TEST(snapshot.number == 1);
  BOOST_TEST(snapshot.changed_by == std::optional<std::string>("alice"));
  BOOST_TEST(snapshot.changed_at_ms == std::optional<std::int64_t>(kNow));
  BOOST_TEST(snapshot.routing.away.message == "Away for the week.");

  const routing::Version current = changes.current();
  BOOST_TEST(current.number == 1);
  BOOST_TEST(current.routing.away.message == "Away for the week.");
}

BOOST_FIXTURE_TEST_CASE(TheNextChangeNamesTheVersionItReplaces, Fixture) {
  BOOST_REQUIRE(
      (changes.save(document_with("First."), "alice", std::nullopt).kind == routing::Changes::Outcome::Kind::kSaved));
  now += 60000;
  const routing::Changes::Outcome second = changes.save(document_with("Second."), "bob", 1);
  BOOST_TEST((second.kind == routing::Changes::Outcome::Kind::kSaved));
  BOOST_TEST(second.version.number == 2);
  BOOST_REQUIRE(store.rows().size() == 2u);
  BOOST_TEST(store.rows().at(2).previous_version == std::optional<std::int64_t>(1));
  BOOST_TEST(store.rows().at(2).changed_by == "bob");
  BOOST_TEST(store.rows().at(2).changed_at_ms == kNow + 60000);
  BOOST_TEST(file_version() == 2);
  BOOST_TEST(file().routing.away.message == "Second.");
}

BOOST_FIXTURE_TEST_CASE(EditingVersionZeroSavesVersionOne, Fixture) {
  const routing::Changes::Outcome outcome = changes.save(document_with("From zero."), "alice", 0);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kSaved));
  BOOST_TEST(outcome.version.number == 1);
}

BOOST_FIXTURE_TEST_CASE(AnInvalidChangeSavesNothing, Fixture) {
  routing::Routing bad = routing_with("Away.");
  bad.forward.targets = {"+14155550100", "4155550101"};
  const routing::Changes::Outcome outcome = changes.save(routing::to_json(bad), "alice", std::nullopt);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kInvalid));
  BOOST_REQUIRE(outcome.invalid.has_value());
  BOOST_TEST(outcome.invalid->field == "forward.targets[1]");
  BOOST_TEST(outcome.invalid->why == "not E.164 (like +14155550123)");
  BOOST_TEST(store.rows().empty());
  BOOST_TEST(store.save_calls == 0);
  BOOST_TEST(file_version() == -1);

  const routing::Changes::Outcome not_json = changes.save("{", "alice", std::nullopt);
  BOOST_TEST((not_json.kind == routing::Changes::Outcome::Kind::kInvalid));
  BOOST_TEST(not_json.invalid->field == "");
  BOOST_TEST(store.save_calls == 0);
}

BOOST_FIXTURE_TEST_CASE(AnInvalidChangeIsRefusedEvenWithTheDatabaseDown, Fixture) {
  store.unavailable = true;
  const routing::Changes::Outcome outcome = changes.save("[]", "alice", std::nullopt);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kInvalid));
  BOOST_TEST(outcome.invalid->field == "");
  BOOST_TEST(outcome.invalid->why == "must be an object");
}

BOOST_FIXTURE_TEST_CASE(AStaleEditSavesNothingAndNamesTheVersionInForce, Fixture) {
  store.put(row(1, "One."));
  store.put(row(2, "Two.", "carol"));
  const routing::Changes::Outcome outcome = changes.save(document_with("Edited from one."), "alice", 1);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kStale));
  BOOST_TEST(outcome.version.number == 2);
  BOOST_TEST(outcome.version.changed_by == std::optional<std::string>("carol"));
  BOOST_TEST(outcome.version.routing.away.message == "Two.");
  BOOST_TEST(store.rows().size() == 2u);
  BOOST_TEST(store.save_calls == 0);
  BOOST_TEST(file_version() == -1);

  // From a version that does not exist yet, too.
  BOOST_TEST(
      (changes.save(document_with("Edited from nine."), "alice", 9).kind == routing::Changes::Outcome::Kind::kStale));
  BOOST_TEST(store.rows().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(AStaleEditOfVersionZeroNamesTheNewestVersion, Fixture) {
  store.put(row(1, "One."));
  const routing::Changes::Outcome outcome = changes.save(document_with("Edited from zero."), "alice", 0);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kStale));
  BOOST_TEST(outcome.version.number == 1);
  BOOST_TEST(outcome.version.routing.away.message == "One.");
}

BOOST_FIXTURE_TEST_CASE(WithoutIfMatchTheChangeFollowsTheNewestVersion, Fixture) {
  store.put(row(1, "One."));
  store.put(row(2, "Two."));
  const routing::Changes::Outcome outcome = changes.save(document_with("Three."), "alice", std::nullopt);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kSaved));
  BOOST_TEST(outcome.version.number == 3);
  BOOST_TEST(store.rows().at(3).previous_version == std::optional<std::int64_t>(2));
}

BOOST_FIXTURE_TEST_CASE(LosingTheInsertRaceIsStale, Fixture) {
  store.put(row(1, "One."));
  // Another admin's change takes number 2 between our read of the newest version and our insert.
  bool raced = false;
  store.before_save = [&](const store::RoutingVersionRow& ours) {
    if (raced) return;
    raced = true;
    store.put(row(ours.version, "The other admin's.", "carol"));
  };
  const routing::Changes::Outcome outcome = changes.save(document_with("Ours."), "alice", 1);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kStale));
  BOOST_TEST(outcome.version.number == 2);
  BOOST_TEST(outcome.version.changed_by == std::optional<std::string>("carol"));
  BOOST_TEST(outcome.version.routing.away.message == "The other admin's.");
  BOOST_TEST(store.rows().size() == 2u);
  BOOST_TEST(store.rows().at(2).changed_by == "carol");
  BOOST_TEST(file_version() == -1);  // ours was not saved: nothing of it reaches the snapshot
}

BOOST_FIXTURE_TEST_CASE(ASnapshotThatCannotBeWrittenStillSavesTheChange, Fixture) {
  routing::Changes elsewhere(store, dir.path() + "/missing/routing.json", routing_of(test_settings()),
                             [this] { return now; });
  const routing::Changes::Outcome outcome = elsewhere.save(document_with("Saved."), "alice", std::nullopt);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kSaved));
  BOOST_TEST(outcome.version.number == 1);
  BOOST_TEST(store.rows().size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(ASnapshotAlreadyNewerIsNotOverwritten, Fixture) {
  // Another worker wrote version 5 first (saved after ours, written before ours).
  routing::Version newer;
  newer.number = 5;
  newer.routing = routing_with("Five.");
  routing::write_snapshot(path, newer);
  const routing::Changes::Outcome outcome = changes.save(document_with("One."), "alice", std::nullopt);
  BOOST_TEST((outcome.kind == routing::Changes::Outcome::Kind::kSaved));
  BOOST_TEST(outcome.version.number == 1);
  BOOST_TEST(file_version() == 5);
  BOOST_TEST(file().routing.away.message == "Five.");
}

BOOST_FIXTURE_TEST_CASE(SaveWithTheDatabaseDownThrows, Fixture) {
  store.unavailable = true;
  BOOST_CHECK_THROW(changes.save(document_with("Lost."), "alice", std::nullopt), store::Unavailable);
  BOOST_CHECK_THROW(changes.current(), store::Unavailable);
  BOOST_TEST(file_version() == -1);
}

BOOST_FIXTURE_TEST_CASE(SyncWritesTheDatabasesNewerVersion, Fixture) {
  store.put(row(1, "One."));
  store.put(row(2, "Two.", "carol"));  // saved on another host
  BOOST_TEST(changes.sync(1));
  const routing::Version written = file();
  BOOST_TEST(written.number == 2);
  BOOST_TEST(written.changed_by == std::optional<std::string>("carol"));
  BOOST_TEST(written.changed_at_ms == std::optional<std::int64_t>(row(2, "").changed_at_ms));
  BOOST_TEST(written.routing.away.message == "Two.");
  BOOST_TEST(!changes.sync(2));  // in force already
  BOOST_TEST(!changes.sync(3));  // the host is ahead of what it reads: never go back
  BOOST_TEST(file_version() == 2);
}

BOOST_FIXTURE_TEST_CASE(SyncWritesFromVersionZero, Fixture) {
  store.put(row(1, "One."));
  BOOST_TEST(changes.sync(0));
  BOOST_TEST(file_version() == 1);
}

BOOST_FIXTURE_TEST_CASE(SyncWithNothingSavedWritesNothing, Fixture) {
  BOOST_TEST(!changes.sync(0));
  BOOST_TEST(file_version() == -1);
}

BOOST_FIXTURE_TEST_CASE(SyncLeavesAFileThatIsAlreadyNewer, Fixture) {
  // The snapshot reader has not noticed the file yet (its check interval): the file is newer than `in_force`.
  store.put(row(1, "One."));
  store.put(row(2, "Two."));
  BOOST_TEST(changes.sync(0));
  BOOST_TEST(!changes.sync(1));
  BOOST_TEST(file_version() == 2);
}

BOOST_FIXTURE_TEST_CASE(SyncWithTheDatabaseDownThrows, Fixture) {
  store.unavailable = true;
  BOOST_CHECK_THROW(changes.sync(0), store::Unavailable);
}

BOOST_FIXTURE_TEST_CASE(AnInvalidRowInTheDatabaseIsShownAsTheInitialRouting, Fixture) {
  store::RoutingVersionRow edited = row(1, "One.");
  edited.document = R"({"forward": "by hand"})";
  store.put(edited);
  const routing::Version current = changes.current();
  BOOST_TEST(current.number == 1);
  BOOST_TEST(current.changed_by == std::optional<std::string>("bob"));
  BOOST_TEST(routing::to_json(current.routing) == routing::to_json(routing_of(test_settings())));
}

BOOST_FIXTURE_TEST_CASE(HistoryIsNewestFirstAndPagedByVersion, Fixture) {
  for (std::int64_t v = 1; v <= 5; ++v) store.put(row(v, "Version " + std::to_string(v) + "."));
  const std::vector<routing::Version> all = changes.history(std::nullopt, 20);
  BOOST_REQUIRE(all.size() == 6u);
  // The configuration's routing closes the list.
  BOOST_TEST(all.back().number == 0);
  BOOST_TEST(!all.back().changed_by.has_value());
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    const std::int64_t number = 5 - static_cast<std::int64_t>(i);
    BOOST_TEST(all[i].number == number);
    BOOST_TEST(all[i].routing.away.message == "Version " + std::to_string(number) + ".");
    BOOST_TEST(all[i].changed_by == std::optional<std::string>("bob"));
    BOOST_TEST(all[i].changed_at_ms == std::optional<std::int64_t>(row(number, "").changed_at_ms));
  }
  const std::vector<routing::Version> first = changes.history(std::nullopt, 2);
  BOOST_REQUIRE(first.size() == 2u);
  BOOST_TEST(first[0].number == 5);
  BOOST_TEST(first[1].number == 4);
  const std::vector<routing::Version> second = changes.history(4, 2);
  BOOST_REQUIRE(second.size() == 2u);
  BOOST_TEST(second[0].number == 3);
  BOOST_TEST(second[1].number == 2);
  const std::vector<routing::Version> last = changes.history(2, 2);
  BOOST_REQUIRE(last.size() == 2u);
  BOOST_TEST(last[0].number == 1);
  BOOST_TEST(last[1].number == 0);
  BOOST_REQUIRE(changes.history(1, 2).size() == 1u);
  BOOST_TEST(changes.history(1, 2)[0].number == 0);
  BOOST_TEST(changes.history(0, 2).empty());
}

BOOST_FIXTURE_TEST_CASE(HistoryWithTheDatabaseDownThrows, Fixture) {
  store.unavailable = true;
  BOOST_CHECK_THROW(changes.history(std::nullopt, 20), store::Unavailable);
}

BOOST_AUTO_TEST_SUITE_END()

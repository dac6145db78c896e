// The routing snapshot file in a private directory: its format read back, the reader picking up a rewrite, keeping
// the last good version when the file turns bad or vanishes, the environment's routing (version 0) while there is
// no file, looking at the file at most once per check interval, and write_snapshot_if_newer never going back.
#include "routing/snapshot.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "../support/json.h"
#include "../support/print.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "routing/changes.h"
#include "routing/routing.h"

namespace {

namespace routing = switchboard::routing;
using switchboard::test::parse_json;
using switchboard::test::routing_of;
using switchboard::test::string_of;
using switchboard::test::TempDir;
using switchboard::test::test_settings;
using namespace std::chrono_literals;

constexpr std::int64_t kChangedAt = 1764147600000;  // 2025-11-26 09:00 UTC

// Version `number` of the test routing, told apart by its away message and first target.
routing::Version version(std::int64_t number, const std::string& by = "alice") {
  routing::Version v;
  v.number = number;
  v.changed_at_ms = kChangedAt + number;
  v.changed_by = by;
  v.routing = routing_of(test_settings());
  v.routing.away.message = "Away, version " + std::to_string(number) + ".";
  v.routing.forward.targets = {"+1415555" + std::to_string(1000 + number)};
  return v;
}

std::string read(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(routing_snapshot)

BOOST_AUTO_TEST_CASE(TheSnapshotLivesInTheStateDirectory) {
  switchboard::config::Settings settings = test_settings();
  settings.state_dir = "/var/lib/switchboard-test";
  BOOST_TEST(routing::snapshot_path(settings) == "/var/lib/switchboard-test/routing.json");
}

BOOST_AUTO_TEST_CASE(SnapshotJsonRoundTrips) {
  const routing::Version written = version(7, "bob");
  const std::string json = routing::snapshot_json(written);
  BOOST_TEST(json.back() == '\n');
  const rapidjson::Document document = parse_json(json);
  BOOST_TEST(document["version"].GetInt64() == 7);
  BOOST_TEST(document["changed_at_ms"].GetInt64() == kChangedAt + 7);
  BOOST_TEST(string_of(document["changed_by"]) == "bob");
  BOOST_TEST(document["routing"].IsObject());

  std::string error = "untouched";
  const std::optional<routing::Version> read_back = routing::parse_snapshot(json, &error);
  BOOST_REQUIRE(read_back.has_value());
  BOOST_TEST(error == "untouched");
  BOOST_TEST(read_back->number == 7);
  BOOST_TEST(read_back->changed_at_ms == std::optional<std::int64_t>(kChangedAt + 7));
  BOOST_TEST(read_back->changed_by == std::optional<std::string>("bob"));
  BOOST_TEST(routing::to_json(read_back->routing) == routing::to_json(written.routing));
}

BOOST_AUTO_TEST_CASE(SnapshotWithoutAuthorKeepsNulls) {
  routing::Version v = version(0);
  v.changed_at_ms.reset();
  v.changed_by.reset();
  const std::string json = routing::snapshot_json(v);
  const rapidjson::Document document = parse_json(json);
  BOOST_TEST(document["changed_at_ms"].IsNull());
  BOOST_TEST(document["changed_by"].IsNull());
  const std::optional<routing::Version> read_back = routing::parse_snapshot(json);
  BOOST_REQUIRE(read_back.has_value());
  BOOST_TEST(read_back->number == 0);
  BOOST_TEST(!read_back->changed_at_ms.has_value());
  BOOST_TEST(!read_back->changed_by.has_value());
}

BOOST_AUTO_TEST_CASE(ABadSnapshotSaysWhy) {
  const std::string routing_json = routing::to_json(version(1).routing);
  const auto why = [](const std::string& text) {
    std::string error;
    BOOST_TEST(!routing::parse_snapshot(text, &error).has_value(), text);
    return error;
  };
  BOOST_TEST(why("") == "not a JSON object");
  BOOST_TEST(why("{\"version\": 1,") == "not a JSON object");
  BOOST_TEST(why("[1]") == "not a JSON object");
  BOOST_TEST(why("{\"routing\": " + routing_json + "}") == "no version number");
  BOOST_TEST(why("{\"version\": \"1\", \"routing\": " + routing_json + "}") == "no version number");
  BOOST_TEST(why("{\"version\": -1, \"routing\": " + routing_json + "}") == "no version number");
  BOOST_TEST(why("{\"version\": 1.5, \"routing\": " + routing_json + "}") == "no version number");
  BOOST_TEST(why("{\"version\": 1}") == "no routing document");
  rapidjson::Document bad = parse_json(routing_json);
  bad["forward"]["targets"][0].SetString("4155550100");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  bad.Accept(writer);
  BOOST_TEST(why("{\"version\": 1, \"routing\": " + std::string(buffer.GetString()) + "}") ==
             "routing.forward.targets[0]: not E.164 (like +14155550123)");
  // A fault of the routing document itself is named like any other field: "routing: …".
  BOOST_TEST(why("{\"version\": 1, \"routing\": []}") == "routing: must be an object");
  // Without an error string the answer is the same.
  BOOST_TEST(!routing::parse_snapshot("{}").has_value());
}

BOOST_AUTO_TEST_CASE(WriteSnapshotWritesTheFileWhole) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  routing::write_snapshot(path, version(3));
  BOOST_TEST(read(path) == routing::snapshot_json(version(3)));
  routing::write_snapshot(path, version(4));
  BOOST_TEST(read(path) == routing::snapshot_json(version(4)));
  // No temporary file is left beside it.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    BOOST_TEST(entry.path().filename() == "routing.json");
  }
  BOOST_TEST(entries == 1);
}

BOOST_AUTO_TEST_CASE(WriteSnapshotThrowsWhenTheDirectoryIsMissing) {
  const TempDir dir;
  BOOST_CHECK_THROW(routing::write_snapshot(dir.path() + "/missing/routing.json", version(1)), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(WithoutAFileTheEnvironmentsRoutingIsVersionZero) {
  const TempDir dir;
  routing::Snapshot snapshot(dir.path() + "/routing.json", routing_of(test_settings()), 0ms);
  const routing::Version& current = snapshot.current();
  BOOST_TEST(current.number == 0);
  BOOST_TEST(!current.changed_at_ms.has_value());
  BOOST_TEST(!current.changed_by.has_value());
  BOOST_TEST(routing::to_json(current.routing) == routing::to_json(routing_of(test_settings())));
  BOOST_TEST(snapshot.path() == dir.path() + "/routing.json");
}

BOOST_AUTO_TEST_CASE(AnExistingFileIsInForceFromTheStart) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  routing::write_snapshot(path, version(5, "carol"));
  routing::Snapshot snapshot(path, routing_of(test_settings()), 0ms);
  BOOST_TEST(snapshot.current().number == 5);
  BOOST_TEST(snapshot.current().changed_by == std::optional<std::string>("carol"));
  BOOST_TEST(snapshot.current().routing.away.message == "Away, version 5.");
}

BOOST_AUTO_TEST_CASE(ARewrittenFileIsReloaded) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  routing::Snapshot snapshot(path, routing_of(test_settings()), 0ms);
  BOOST_TEST(snapshot.current().number == 0);
  routing::write_snapshot(path, version(1));
  BOOST_TEST(snapshot.current().number == 1);
  BOOST_TEST(snapshot.current().routing.away.message == "Away, version 1.");
  routing::write_snapshot(path, version(2));
  BOOST_TEST(snapshot.current().number == 2);
  BOOST_TEST(snapshot.current().routing.away.message == "Away, version 2.");
  BOOST_TEST(snapshot.current().routing.forward.targets == (std::vector<std::string>{"+14155551002"}));
}

BOOST_AUTO_TEST_CASE(AFileRewrittenInPlaceIsReloaded) {
  // An editor (or cp) rewrites the same inode: the size and mtime tell.
  const TempDir dir;
  routing::Snapshot snapshot(dir.write("routing.json", routing::snapshot_json(version(1))), routing_of(test_settings()),
                             0ms);
  BOOST_TEST(snapshot.current().number == 1);
  dir.write("routing.json", routing::snapshot_json(version(12)));
  BOOST_TEST(snapshot.current().number == 12);
}

BOOST_AUTO_TEST_CASE(AnInvalidFileKeepsTheLastGoodVersion) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  routing::write_snapshot(path, version(1));
  routing::Snapshot snapshot(path, routing_of(test_settings()), 0ms);
  BOOST_TEST(snapshot.current().number == 1);
  dir.write("routing.json", "{\"version\": 2, \"routing\": {\"forward\": ");  // a half-written file
  BOOST_TEST(snapshot.current().number == 1);
  BOOST_TEST(snapshot.current().routing.away.message == "Away, version 1.");
  dir.write("routing.json", "{\"version\": 3, \"routing\": {}}");  // a document that is not valid routing
  BOOST_TEST(snapshot.current().number == 1);
  // A good file after the bad one is taken again.
  routing::write_snapshot(path, version(4));
  BOOST_TEST(snapshot.current().number == 4);
}

BOOST_AUTO_TEST_CASE(AnInvalidFileFromTheStartLeavesVersionZero) {
  const TempDir dir;
  routing::Snapshot snapshot(dir.write("routing.json", "not json"), routing_of(test_settings()), 0ms);
  BOOST_TEST(snapshot.current().number == 0);
  BOOST_TEST(routing::to_json(snapshot.current().routing) == routing::to_json(routing_of(test_settings())));
}

BOOST_AUTO_TEST_CASE(AFileThatVanishesKeepsItsVersion) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  routing::write_snapshot(path, version(6));
  routing::Snapshot snapshot(path, routing_of(test_settings()), 0ms);
  BOOST_TEST(snapshot.current().number == 6);
  std::filesystem::remove(path);
  BOOST_TEST(snapshot.current().number == 6);
  routing::write_snapshot(path, version(7));
  BOOST_TEST(snapshot.current().number == 7);
}

BOOST_AUTO_TEST_CASE(TheFileIsLookedAtAtMostOncePerCheckInterval) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  routing::write_snapshot(path, version(1));
  routing::Snapshot slow(path, routing_of(test_settings()), std::chrono::hours(1));
  BOOST_TEST(slow.current().number == 1);  // the first look, now
  routing::write_snapshot(path, version(2));
  BOOST_TEST(slow.current().number == 1);  // within the hour: not looked at
  BOOST_TEST(slow.current().number == 1);

  routing::Snapshot quick(path, routing_of(test_settings()), 20ms);
  BOOST_TEST(quick.current().number == 2);
  routing::write_snapshot(path, version(3));
  std::this_thread::sleep_for(60ms);  // past the interval: the next call looks
  BOOST_TEST(quick.current().number == 3);
  BOOST_TEST(routing::Snapshot::kCheckInterval.count() == 250);
}

BOOST_AUTO_TEST_CASE(WriteSnapshotIfNewerNeverGoesBack) {
  const TempDir dir;
  const std::string path = dir.path() + "/routing.json";
  BOOST_TEST(routing::write_snapshot_if_newer(path, version(2)));  // no file yet
  BOOST_TEST(routing::parse_snapshot(read(path))->number == 2);
  BOOST_TEST(!routing::write_snapshot_if_newer(path, version(2)));  // the same version: left as it is
  BOOST_TEST(!routing::write_snapshot_if_newer(path, version(1)));  // older: a slower writer lost
  BOOST_TEST(routing::parse_snapshot(read(path))->number == 2);
  BOOST_TEST(routing::write_snapshot_if_newer(path, version(3)));
  BOOST_TEST(routing::parse_snapshot(read(path))->number == 3);
  BOOST_TEST(std::filesystem::exists(path + ".lock"));
}

BOOST_AUTO_TEST_CASE(WriteSnapshotIfNewerReplacesAnUnreadableFile) {
  const TempDir dir;
  const std::string path = dir.write("routing.json", "garbage");
  BOOST_TEST(routing::write_snapshot_if_newer(path, version(1)));
  BOOST_TEST(routing::parse_snapshot(read(path))->number == 1);
}

BOOST_AUTO_TEST_SUITE_END()

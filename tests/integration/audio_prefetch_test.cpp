// Voicemail audio fetched by switchboard-notify as soon as the recording completes (its "audio" channel): the file
// is in the cache the workers and nginx share before anyone plays it, and the play is then a cache hit — the fake
// Twilio hears one fetch of the recording, the notifier's. A play that comes first (the notifier stopped) still
// works, fetched by the feed worker; the notifier then finds the file there and asks Twilio nothing.
#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "support/stack.h"

using namespace integration;

namespace {

std::string leave_voicemail() {
  callsim::Scenario scenario;
  scenario.presses = {"2"};
  const auto report = callsim::run_call(simulator_options(), scenario);
  for (const std::string& error : report.errors) BOOST_TEST_MESSAGE("simulator: " << error);
  BOOST_REQUIRE(report.ok());
  return report.call_sid;
}

std::string recording_of(const std::string& call_sid) {
  const std::string recording = call_row(call_sid).at("recording_sid");
  BOOST_REQUIRE(recording.rfind("RE", 0) == 0);
  return recording;
}

std::string cached_file(const std::string& recording) {
  return stack().dir + "/state/recordings/" + recording + ".mp3";
}

std::string contents(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// GET requests for this recording's media that the fake Twilio received (tools/fake-twilio logs every request).
int twilio_fetches(const std::string& recording) {
  std::ifstream log(stack().dir + "/fake-twilio/requests.jsonl");
  const std::string media = "/Recordings/" + recording + ".mp3";
  int fetches = 0;
  std::string line;
  while (std::getline(log, line)) {
    rapidjson::Document entry;
    entry.Parse(line.c_str());
    if (!entry.IsObject() || !entry.HasMember("path") || !entry.HasMember("method")) continue;
    const std::string path = entry["path"].GetString();
    fetches += std::string(entry["method"].GetString()) == "GET" && path.size() >= media.size() &&
               path.compare(path.size() - media.size(), media.size(), media) == 0;
  }
  return fetches;
}

int audio_rows(const std::string& call_sid, const std::string& status) {
  return count("SELECT COUNT(*) FROM notifications WHERE call_sid = ? AND channel = 'audio' AND status = ?",
               {call_sid, status});
}

// The Result of each audio entry in the call's timeline, as the feed shows it, in order.
std::vector<std::string> audio_timeline(const std::string& call_sid) {
  const HttpResult call = request("GET", "/api/calls/" + call_sid, true);
  BOOST_REQUIRE(call.status == 200);
  rapidjson::Document json;
  json.Parse(call.body.c_str());
  BOOST_REQUIRE(json.IsObject() && json["events"].IsArray());
  std::vector<std::string> results;
  for (const auto& event : json["events"].GetArray()) {
    if (std::string(event["kind"].GetString()) != "notification") continue;
    if (std::string(event["params"]["Channel"].GetString()) != "audio") continue;
    results.emplace_back(event["params"]["Result"].GetString());
  }
  return results;
}

HttpResult play(const std::string& call_sid) {
  return request("GET", "/api/calls/" + call_sid + "/voicemail", true);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audio_prefetch)

BOOST_AUTO_TEST_CASE(TheAudioIsCachedBeforeAnyPlayAndThePlayIsACacheHit) {
  const std::string sid = leave_voicemail();
  const std::string recording = recording_of(sid);
  const std::string file = cached_file(recording);

  // Nobody has played it: only the notifier can have put it there.
  BOOST_REQUIRE(eventually([&] { return audio_rows(sid, "sent") == 1; }, std::chrono::seconds(30)));
  BOOST_TEST(count("SELECT attempts FROM notifications WHERE call_sid = ? AND channel = 'audio'", {sid}) == 1);
  struct stat info {};
  BOOST_REQUIRE(::stat(file.c_str(), &info) == 0);
  BOOST_TEST(info.st_size > 1000);
  BOOST_TEST((info.st_mode & 07777) == 0640u);  // nginx reads it through the group
  BOOST_TEST(twilio_fetches(recording) == 1);
  BOOST_TEST(audio_timeline(sid) == std::vector<std::string>{"fetched"}, boost::test_tools::per_element());

  // The play is served from the cache: the same bytes, and Twilio is not asked again.
  const HttpResult audio = play(sid);
  BOOST_TEST(audio.status == 200);
  BOOST_TEST(audio.content_type == "audio/mpeg");
  BOOST_TEST(audio.body == contents(file));
  const HttpResult part = request("GET", "/api/calls/" + sid + "/voicemail", true, "", {"Range: bytes=100-199"});
  BOOST_TEST(part.status == 206);
  BOOST_TEST(part.body == audio.body.substr(100, 100));
  BOOST_TEST(twilio_fetches(recording) == 1);
}

BOOST_AUTO_TEST_CASE(APlayBeforeTheFetchStillWorksAndTheNotifierThenFetchesNothing) {
  struct Restore {
    ~Restore() { stack_command("sb_start_notifier"); }
  } restore;
  BOOST_REQUIRE(stack_command("sb_stop_pid \"$SB_DIR/run/notify.pid\"") == 0);

  const std::string sid = leave_voicemail();
  const std::string recording = recording_of(sid);
  BOOST_REQUIRE(eventually([&] { return audio_rows(sid, "pending") == 1; }, std::chrono::seconds(10)));
  BOOST_TEST(twilio_fetches(recording) == 0);

  const HttpResult audio = play(sid);  // the feed worker fetches it for this play
  BOOST_TEST(audio.status == 200);
  BOOST_TEST(audio.body.size() > 1000u);
  BOOST_TEST(twilio_fetches(recording) == 1);
  BOOST_TEST(contents(cached_file(recording)) == audio.body);

  BOOST_REQUIRE(stack_command("sb_start_notifier") == 0);
  BOOST_TEST(eventually([&] { return audio_rows(sid, "sent") == 1; }, std::chrono::seconds(30)));
  BOOST_TEST(audio_timeline(sid) == std::vector<std::string>{"cached"}, boost::test_tools::per_element());
  BOOST_TEST(twilio_fetches(recording) == 1);
  BOOST_TEST(play(sid).body == audio.body);
  BOOST_TEST(twilio_fetches(recording) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

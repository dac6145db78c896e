// The recording cache as the notifier and the feed workers share it: a download is published whole, under its final
// name only, readable by nginx's group whatever the writer's umask; a complete copy published first by another
// process is kept (never replaced under a reader), an empty leftover is not; Twilio's 404 and an empty body publish
// nothing. Twilio is a one-answer HTTP stub on loopback.
#include <boost/test/unit_test.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/http_stub.h"
#include "../support/settings.h"
#include "../support/temp_dir.h"
#include "twilio/recording_fetcher.h"

namespace {

using switchboard::test::HttpStub;
using switchboard::test::TempDir;
using switchboard::twilio::FetchResult;
using switchboard::twilio::RecordingFetcher;

const std::string kRecording = "RE0123456789abcdef0123456789abcdef";
const std::string kAudio = std::string("ID3") + std::string(5000, '\x55');

std::vector<std::string> files_in(const std::string& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

std::string contents(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

struct Cache {
  TempDir dir;
  const std::string cache_dir = dir.path() + "/recordings";
  RecordingFetcher fetcher(const HttpStub& twilio) const {
    return RecordingFetcher(twilio.base_url(), switchboard::test::kAccountSid, "12345", cache_dir, 5);
  }
  std::string path() const { return cache_dir + "/" + kRecording + ".mp3"; }
};

// Sets the process's umask for one test, as the notifier's unit does (UMask=0077).
struct Umask {
  explicit Umask(mode_t mask) : previous(::umask(mask)) {}
  ~Umask() { ::umask(previous); }
  mode_t previous;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(twilio_recording_fetcher, Cache)

BOOST_AUTO_TEST_CASE(ADownloadIsPublishedWholeAndReadableByTheGroupUnderAStrictUmask) {
  HttpStub twilio(200, kAudio);
  const Umask strict(0077);
  const RecordingFetcher recordings = fetcher(twilio);
  BOOST_TEST(!recordings.cached(kRecording));

  const auto outcome = recordings.fetch(kRecording);
  BOOST_TEST(static_cast<int>(outcome.result) == static_cast<int>(FetchResult::kStored));
  BOOST_TEST(outcome.detail == "");
  BOOST_TEST(recordings.cached(kRecording));
  BOOST_TEST(contents(path()) == kAudio);
  BOOST_TEST(files_in(cache_dir) == std::vector<std::string>{kRecording + ".mp3"}, boost::test_tools::per_element());
  struct stat file {}, directory {};
  BOOST_REQUIRE(::stat(path().c_str(), &file) == 0);
  BOOST_REQUIRE(::stat(cache_dir.c_str(), &directory) == 0);
  BOOST_TEST((file.st_mode & 07777) == 0640u);
  BOOST_TEST((directory.st_mode & 07777) == 0750u);
  BOOST_TEST(twilio.requests() ==
                 std::vector<std::string>{"GET /2010-04-01/Accounts/" + std::string(switchboard::test::kAccountSid) +
                                          "/Recordings/" + kRecording + ".mp3 HTTP/1.1"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ACompleteCopyPublishedFirstIsKept) {
  // The other process (a play, or the notifier) finished first: its file, possibly being served, stays as it is.
  HttpStub twilio(200, kAudio);
  std::filesystem::create_directories(cache_dir);
  dir.write("recordings/" + kRecording + ".mp3", "the first copy");
  struct stat before {};
  BOOST_REQUIRE(::stat(path().c_str(), &before) == 0);

  const auto outcome = fetcher(twilio).fetch(kRecording);
  BOOST_TEST(static_cast<int>(outcome.result) == static_cast<int>(FetchResult::kStored));
  BOOST_TEST(outcome.detail == "another process cached it first");
  BOOST_TEST(contents(path()) == "the first copy");
  struct stat after {};
  BOOST_REQUIRE(::stat(path().c_str(), &after) == 0);
  BOOST_TEST(after.st_ino == before.st_ino);
  BOOST_TEST(files_in(cache_dir).size() == 1u);  // no temporary file left behind
}

BOOST_AUTO_TEST_CASE(AnEmptyFileInTheWayIsReplaced) {
  HttpStub twilio(200, kAudio);
  std::filesystem::create_directories(cache_dir);
  dir.write("recordings/" + kRecording + ".mp3", "");
  const RecordingFetcher recordings = fetcher(twilio);
  BOOST_TEST(!recordings.cached(kRecording));
  BOOST_TEST(static_cast<int>(recordings.fetch(kRecording).result) == static_cast<int>(FetchResult::kStored));
  BOOST_TEST(contents(path()) == kAudio);
  BOOST_TEST(files_in(cache_dir).size() == 1u);
}

BOOST_AUTO_TEST_CASE(TwoFetchesAtOnceLeaveOneWholeFile) {
  // The notifier and a play fetching the same recording at the same time.
  HttpStub twilio(200, kAudio);
  const RecordingFetcher recordings = fetcher(twilio);
  switchboard::twilio::FetchOutcome first{FetchResult::kFailed, ""}, second{FetchResult::kFailed, ""};
  std::thread other([&] { second = recordings.fetch(kRecording); });
  first = recordings.fetch(kRecording);
  other.join();
  BOOST_TEST(static_cast<int>(first.result) == static_cast<int>(FetchResult::kStored));
  BOOST_TEST(static_cast<int>(second.result) == static_cast<int>(FetchResult::kStored));
  BOOST_TEST(contents(path()) == kAudio);
  BOOST_TEST(files_in(cache_dir) == std::vector<std::string>{kRecording + ".mp3"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(NotFoundAtTwilioPublishesNothing) {
  HttpStub twilio(404, "{\"code\": 20404}");
  const auto outcome = fetcher(twilio).fetch(kRecording);
  BOOST_TEST(static_cast<int>(outcome.result) == static_cast<int>(FetchResult::kNotAvailable));
  BOOST_TEST(files_in(cache_dir).empty());
}

BOOST_AUTO_TEST_CASE(AnEmptyBodyIsNotARecording) {
  HttpStub twilio(200, "");
  const auto outcome = fetcher(twilio).fetch(kRecording);
  BOOST_TEST(static_cast<int>(outcome.result) == static_cast<int>(FetchResult::kFailed));
  BOOST_TEST(outcome.detail == "Twilio sent an empty file");
  BOOST_TEST(files_in(cache_dir).empty());
}

BOOST_AUTO_TEST_CASE(AServerErrorPublishesNothing) {
  HttpStub twilio(503, "busy");
  const auto outcome = fetcher(twilio).fetch(kRecording);
  BOOST_TEST(static_cast<int>(outcome.result) == static_cast<int>(FetchResult::kFailed));
  BOOST_TEST(outcome.detail == "Twilio answered HTTP 503");
  BOOST_TEST(files_in(cache_dir).empty());
}

BOOST_AUTO_TEST_SUITE_END()

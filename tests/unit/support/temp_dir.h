// A private directory under /tmp for one test, removed with everything in it when the test ends.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace switchboard::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "switchboard-test-XXXXXX").string();
    BOOST_REQUIRE_MESSAGE(::mkdtemp(pattern.data()) != nullptr, "mkdtemp failed for " << pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `content` to <dir>/<name> (replacing it) and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = path_ + "/" + name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << file);
    return file;
  }

 private:
  std::string path_;
};

}  // namespace switchboard::test

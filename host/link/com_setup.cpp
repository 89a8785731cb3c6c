// The standard's COM of a scenario's Touchstone channel (channel.com_set): its aggressors found
// beside the thru, computed once per run's files (every point of a sweep shares them: only numeric
// keys sweep), reported as rep.com_reference_db.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "host/link/com_report.hpp"
#include "host/link/lane_setup_steps.hpp"
#include "host/link/touchstone.hpp"

namespace ll::setup_steps {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The IEEE channel-data convention: "<stem>thru<tail>" beside "<stem>fext<n><tail>" and
// "<stem>next<n><tail>", any case, in the same folder; in order of kind and number.
void add_aggressors_beside(ComFiles& files) {
  namespace fs = std::filesystem;
  const fs::path thru(files.thru);
  const std::string name = lower(thru.filename().string());
  const std::size_t at = name.rfind("thru");
  if (at == std::string::npos) return;
  const std::string stem = name.substr(0, at), tail = name.substr(at + 4);
  std::map<std::pair<int, int>, std::string> found;  // (kind, n) -> path
  std::error_code ec;
  const fs::path folder = thru.has_parent_path() ? thru.parent_path() : fs::path(".");
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec)) {
    const std::string n = lower(e.path().filename().string());
    if (n.size() <= stem.size() + tail.size() + 4 || n.rfind(stem, 0) != 0 ||
        n.compare(n.size() - tail.size(), tail.size(), tail) != 0)
      continue;
    const std::string mid = n.substr(stem.size(), n.size() - stem.size() - tail.size());
    const int kind = mid.rfind("fext", 0) == 0 ? 0 : mid.rfind("next", 0) == 0 ? 1 : -1;
    const std::string digits = mid.substr(4);
    if (kind < 0 || digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(c); }))
      continue;
    found[{kind, std::stoi(digits)}] = e.path().string();
  }
  for (const auto& [key, path] : found) (key.first == 0 ? files.fext : files.next).push_back(path);
}

}  // namespace

void standard_channel_com(const Scenario& s, const LaneParams& lp, LinkReport& rep) {
  if (lp.channel.model != ChannelModel::touchstone || lp.channel.com_set == "none") return;
  ComFiles files;
  files.thru = channel_file_path(s, lp);
  files.order = lp.channel.port_order;
  if (lp.channel.com_crosstalk_beside) add_aggressors_beside(files);
  const std::string id = lp.channel.com_set + "|" + std::to_string(static_cast<int>(files.order)) +
                         "|" + std::to_string(lp.channel.com_crosstalk_beside) + "|" + files.thru;
  struct Computed {
    ComResult result;
    std::vector<std::string> warnings;  // the aggressors' files' (the thru's are said already)
  };
  static std::mutex mutex;
  static std::map<std::string, Computed> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(id);
  if (it == cache.end()) {
    const ComSet set = com_set(lp.channel.com_set);
    std::vector<ComChannel> channels;
    std::vector<std::string> all;
    try {
      channels = load_com_channels(files, set, "channel.com_set", all);
    } catch (const TouchstoneError& e) {
      fail_key(s, "channel.com_set", e.what());
    }
    Computed c{standard_com(set, channels), {}};
    for (const std::string& w : all)
      if (w.find(files.thru) == std::string::npos) c.warnings.push_back("channel.com_set: " + w);
    it = cache.emplace(id, std::move(c)).first;
  }
  rep.com_reference_db = it->second.result.com_db;
  rep.warnings.insert(rep.warnings.end(), it->second.warnings.begin(), it->second.warnings.end());
  if (lp.channel.com_crosstalk_beside && files.fext.empty() && files.next.empty())
    rep.warnings.push_back("channel.com_crosstalk = \"beside\": no FEXT or NEXT file beside " +
                           files.thru + " (named as it is with \"thru\" read as \"fext<n>\" " +
                           "or \"next<n>\"): COM without crosstalk");
}

}  // namespace ll::setup_steps
